using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Manifests;

/// <summary>
/// Maps <c>apiVersion</c> + <c>kind</c> to a REST resource without a cluster to ask, the way kubectl's RESTMapper
/// guesses without discovery.
/// </summary>
/// <remarks>
/// Well-known kinds (matched on group and kind, any version) come from a built-in table that also knows which are
/// cluster-scoped. Any other kind is assumed namespaced, and its resource is guessed like
/// <c>k8s.io/apimachinery/pkg/api/meta.UnsafeGuessKindToResource</c>: lower-cased; unchanged if it ends in
/// <c>endpoints</c>; <c>+es</c> if it ends in <c>s</c>; <c>y</c> → <c>ies</c> if it ends in <c>y</c>; else <c>+s</c>.
/// One deliberate difference: a <c>y</c> after a vowel just takes <c>s</c> (<c>Gateway</c> → <c>gateways</c>, where
/// kubectl would guess <c>gatewaies</c>), which is what real APIs use.
/// </remarks>
public static class ResourceMapper
{
    private static readonly Dictionary<string, (string Resource, bool Namespaced)> WellKnown = BuildTable();

    /// <summary>Resolves an <c>apiVersion</c> and <c>kind</c>.</summary>
    /// <exception cref="ArgumentException">The apiVersion is malformed or the kind is empty.</exception>
    public static ResourceInfo Resolve(string apiVersion, string kind)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        var (group, version) = ParseApiVersion(apiVersion);
        return WellKnown.TryGetValue(Key(group, kind), out var known)
            ? new ResourceInfo(group, version, known.Resource, known.Namespaced)
            : new ResourceInfo(group, version, GuessResource(kind), Namespaced: true);
    }

    /// <summary>Resolves a manifest's <c>apiVersion</c> and <c>kind</c>; <c>false</c> if they are missing or malformed.</summary>
    public static bool TryResolve(JsonObject manifest, [NotNullWhen(true)] out ResourceInfo? info)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        info = null;
        if (manifest["apiVersion"] is not JsonValue apiVersionValue || !apiVersionValue.TryGetValue<string>(out var apiVersion)
            || manifest["kind"] is not JsonValue kindValue || !kindValue.TryGetValue<string>(out var kind)
            || string.IsNullOrWhiteSpace(kind) || !TryParseApiVersion(apiVersion, out var group, out var version))
        {
            return false;
        }

        info = WellKnown.TryGetValue(Key(group, kind), out var known)
            ? new ResourceInfo(group, version, known.Resource, known.Namespaced)
            : new ResourceInfo(group, version, GuessResource(kind), Namespaced: true);
        return true;
    }

    /// <summary>Splits an apiVersion: <c>v1</c> → (<c>""</c>, <c>v1</c>); <c>apps/v1</c> → (<c>apps</c>, <c>v1</c>).</summary>
    /// <exception cref="ArgumentException">Empty, more than one <c>/</c>, or an empty group or version.</exception>
    public static (string Group, string Version) ParseApiVersion(string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        return TryParseApiVersion(apiVersion, out var group, out var version)
            ? (group, version)
            : throw new ArgumentException($"malformed apiVersion \"{apiVersion}\": expected VERSION or GROUP/VERSION", nameof(apiVersion));
    }

    /// <summary>Guesses the plural resource of a kind (see the type's remarks).</summary>
    public static string GuessResource(string kind)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var singular = kind.ToLowerInvariant();
        if (singular.EndsWith("endpoints", StringComparison.Ordinal))
        {
            return singular;
        }

        return singular[^1] switch
        {
            's' => singular + "es",
            'y' when singular.Length > 1 && singular[^2] is 'a' or 'e' or 'i' or 'o' or 'u' => singular + "s",
            'y' => singular[..^1] + "ies",
            _ => singular + "s",
        };
    }

    private static bool TryParseApiVersion(string apiVersion, out string group, out string version)
    {
        group = string.Empty;
        version = string.Empty;
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            version = apiVersion;
        }
        else if (apiVersion.IndexOf('/', slash + 1) < 0)
        {
            group = apiVersion[..slash];
            version = apiVersion[(slash + 1)..];
            if (group.Length == 0)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        return !string.IsNullOrWhiteSpace(version);
    }

    private static string Key(string group, string kind) => group + "/" + kind;

    private static Dictionary<string, (string Resource, bool Namespaced)> BuildTable()
    {
        const bool Namespaced = true;
        const bool Cluster = false;
        (string Group, string Kind, string Resource, bool Namespaced)[] entries =
        [
            ("", "Pod", "pods", Namespaced),
            ("", "Service", "services", Namespaced),
            ("", "ConfigMap", "configmaps", Namespaced),
            ("", "Secret", "secrets", Namespaced),
            ("", "Namespace", "namespaces", Cluster),
            ("", "Node", "nodes", Cluster),
            ("", "PersistentVolume", "persistentvolumes", Cluster),
            ("", "PersistentVolumeClaim", "persistentvolumeclaims", Namespaced),
            ("", "ServiceAccount", "serviceaccounts", Namespaced),
            ("", "ReplicationController", "replicationcontrollers", Namespaced),
            ("", "Endpoints", "endpoints", Namespaced),
            ("", "Event", "events", Namespaced),
            ("", "LimitRange", "limitranges", Namespaced),
            ("", "ResourceQuota", "resourcequotas", Namespaced),
            ("", "PodTemplate", "podtemplates", Namespaced),
            ("", "Binding", "bindings", Namespaced),
            ("", "ComponentStatus", "componentstatuses", Cluster),
            ("apps", "Deployment", "deployments", Namespaced),
            ("apps", "ReplicaSet", "replicasets", Namespaced),
            ("apps", "StatefulSet", "statefulsets", Namespaced),
            ("apps", "DaemonSet", "daemonsets", Namespaced),
            ("apps", "ControllerRevision", "controllerrevisions", Namespaced),
            ("batch", "Job", "jobs", Namespaced),
            ("batch", "CronJob", "cronjobs", Namespaced),
            ("networking.k8s.io", "Ingress", "ingresses", Namespaced),
            ("networking.k8s.io", "IngressClass", "ingressclasses", Cluster),
            ("networking.k8s.io", "NetworkPolicy", "networkpolicies", Namespaced),
            ("networking.k8s.io", "IPAddress", "ipaddresses", Cluster),
            ("networking.k8s.io", "ServiceCIDR", "servicecidrs", Cluster),
            ("rbac.authorization.k8s.io", "Role", "roles", Namespaced),
            ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", Namespaced),
            ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", Cluster),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", Cluster),
            ("policy", "PodDisruptionBudget", "poddisruptionbudgets", Namespaced),
            ("storage.k8s.io", "StorageClass", "storageclasses", Cluster),
            ("storage.k8s.io", "CSIDriver", "csidrivers", Cluster),
            ("storage.k8s.io", "CSINode", "csinodes", Cluster),
            ("storage.k8s.io", "VolumeAttachment", "volumeattachments", Cluster),
            ("storage.k8s.io", "CSIStorageCapacity", "csistoragecapacities", Namespaced),
            ("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", Cluster),
            ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", Cluster),
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", Cluster),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", Cluster),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", Cluster),
            ("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", Namespaced),
            ("scheduling.k8s.io", "PriorityClass", "priorityclasses", Cluster),
            ("node.k8s.io", "RuntimeClass", "runtimeclasses", Cluster),
            ("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", Cluster),
            ("coordination.k8s.io", "Lease", "leases", Namespaced),
            ("discovery.k8s.io", "EndpointSlice", "endpointslices", Namespaced),
            ("events.k8s.io", "Event", "events", Namespaced),
            ("apiregistration.k8s.io", "APIService", "apiservices", Cluster),
            ("flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", Cluster),
            ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", "prioritylevelconfigurations", Cluster),
            ("policygate.io", "ClusterAdmissionPolicy", "clusteradmissionpolicies", Cluster),
            ("policygate.io", "AdmissionPolicy", "admissionpolicies", Namespaced),
        ];

        var table = new Dictionary<string, (string, bool)>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            table.Add(Key(entry.Group, entry.Kind), (entry.Resource, entry.Namespaced));
        }

        return table;
    }
}
