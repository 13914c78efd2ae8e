namespace PolicyGate.Core.Manifests;

/// <summary>The REST resource a kind is served as.</summary>
/// <param name="Group">API group; <c>""</c> for the core group.</param>
/// <param name="Version">API version, e.g. <c>v1</c>.</param>
/// <param name="Resource">Plural resource name, e.g. <c>deployments</c>.</param>
/// <param name="Namespaced">Whether objects of the kind live in a namespace.</param>
public sealed record ResourceInfo(string Group, string Version, string Resource, bool Namespaced);
