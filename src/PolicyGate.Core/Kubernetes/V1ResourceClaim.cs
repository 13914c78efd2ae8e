namespace PolicyGate.Core.Kubernetes;

/// <summary>A reference to a pod resource claim.</summary>
public sealed class V1ResourceClaim : KubernetesModel
{
    /// <summary>Name of the claim in <c>spec.resourceClaims</c>.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Request within the claim.</summary>
    public string? Request { get; set { ThrowIfFrozen(); field = value; } }
}
