namespace PolicyGate.Core.Api.V1;

/// <summary>One admission rule, as in <c>admissionregistration.k8s.io/v1</c> RuleWithOperations.</summary>
public sealed record RuleWithOperations(
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> ApiGroups,
    IReadOnlyList<string> ApiVersions,
    IReadOnlyList<string> Resources,
    string Scope = RuleWithOperations.AnyScope)
{
    public const string AnyScope = "*";
    public const string ClusterScope = "Cluster";
    public const string NamespacedScope = "Namespaced";
}
