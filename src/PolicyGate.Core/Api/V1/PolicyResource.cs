namespace PolicyGate.Core.Api.V1;

/// <summary>A parsed <c>policygate.io/v1</c> policy object.</summary>
/// <param name="Source">Where it came from, e.g. <c>policies/seed.yaml#2</c>; <c>file://</c> modules resolve relative to its file.</param>
/// <param name="SourceFile">The file the policy was read from, when there is one.</param>
public sealed record PolicyResource(PolicyKind Kind, string Name, string? Namespace, PolicySpec Spec, string Source, string? SourceFile = null)
{
    public const string Group = "policygate.io";
    public const string ApiVersionV1 = "policygate.io/v1";

    /// <summary>The name users see: <c>NAME</c> for cluster policies, <c>NAMESPACE/NAME</c> for namespaced ones.</summary>
    public string DisplayName => Kind == PolicyKind.AdmissionPolicy ? $"{Namespace}/{Name}" : Name;

    /// <summary>Whether the script is one of PolicyGate's built-in modules (PolicyGate's own code, whoever configures it).</summary>
    public bool IsBuiltin => Spec.Module?.StartsWith(BuiltinScheme, StringComparison.Ordinal) == true;

    /// <summary>
    /// Where the script runs: <c>spec.isolation</c> when set, else in a worker process for an AdmissionPolicy's own
    /// script (its namespace's owners wrote it) and in-process for ClusterAdmissionPolicies and the built-in modules.
    /// </summary>
    public PolicyIsolation Isolation => Spec.Isolation ?? (Kind == PolicyKind.AdmissionPolicy && !IsBuiltin ? PolicyIsolation.Process : PolicyIsolation.InProcess);

    /// <summary>The module scheme of the built-in policies.</summary>
    public const string BuiltinScheme = "builtin://";
}
