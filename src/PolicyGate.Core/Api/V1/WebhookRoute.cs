namespace PolicyGate.Core.Api.V1;

/// <summary>The policy a webhook path addresses (see <see cref="WebhookPaths.TryParse"/>).</summary>
/// <param name="Mutating">True for <c>/mutate/...</c>, false for <c>/validate/...</c>.</param>
/// <param name="Namespace">The AdmissionPolicy's namespace; null for a ClusterAdmissionPolicy.</param>
public sealed record WebhookRoute(bool Mutating, PolicyKind Kind, string? Namespace, string Name);
