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
}
