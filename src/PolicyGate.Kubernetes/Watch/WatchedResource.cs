namespace PolicyGate.Kubernetes.Watch;

/// <summary>Which resource type a <see cref="ResourceCache"/> lists and watches, across the whole cluster: objects of a
/// namespaced type are watched in every namespace.</summary>
/// <param name="Group">The API group, e.g. <c>policygate.io</c>.</param>
/// <param name="Version">The API version within the group, e.g. <c>v1</c>.</param>
/// <param name="Plural">The resource's plural name, e.g. <c>clusteradmissionpolicies</c>.</param>
/// <param name="Namespaced">Whether objects live in namespaces; decides how <see cref="ResourceCache.Snapshot"/> keys
/// them (<c>NAMESPACE/NAME</c> or <c>NAME</c>).</param>
public sealed record WatchedResource(string Group, string Version, string Plural, bool Namespaced)
{
    /// <summary>The cluster's Namespaces (core group <c>v1</c>), for their labels: the one core type a cache can keep.</summary>
    public static WatchedResource Namespaces { get; } = new("", "v1", "namespaces", Namespaced: false);

    /// <summary>Whether this is <see cref="Namespaces"/>, read through the core API rather than as a custom resource.</summary>
    internal bool IsNamespaces => Group.Length == 0 && Version == "v1" && Plural == "namespaces" && !Namespaced;

    /// <summary>For <see cref="ConfigMap"/>: the one ConfigMap watched (by a field selector on its name in its namespace).</summary>
    public (string Namespace, string Name)? Single { get; private init; }

    /// <summary>One ConfigMap (core group <c>v1</c>), for the scripts of <c>configmap://</c> modules: only the named
    /// object is listed and watched, so PolicyGate neither caches nor reads any other ConfigMap.</summary>
    public static WatchedResource ConfigMap(string @namespace, string name) =>
        new("", "v1", "configmaps", Namespaced: true) { Single = (@namespace, name) };

    /// <summary>Whether this is a <see cref="ConfigMap"/>.</summary>
    internal bool IsConfigMap => Group.Length == 0 && Plural == "configmaps" && Single is not null;
}
