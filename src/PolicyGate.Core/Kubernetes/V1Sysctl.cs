namespace PolicyGate.Core.Kubernetes;

/// <summary>A namespaced kernel parameter.</summary>
public sealed class V1Sysctl : KubernetesModel
{
    /// <summary>Sysctl name.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Sysctl value.</summary>
    public string? Value { get; set { ThrowIfFrozen(); field = value; } }
}
