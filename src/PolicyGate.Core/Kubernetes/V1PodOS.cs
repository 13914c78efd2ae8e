namespace PolicyGate.Core.Kubernetes;

/// <summary>Operating system of a pod (<c>spec.os</c>).</summary>
public sealed class V1PodOS : KubernetesModel
{
    /// <summary><c>linux</c> or <c>windows</c>.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }
}
