namespace PolicyGate.Core.Kubernetes;

/// <summary>A Pod (<c>v1/Pod</c>). <c>status</c> is kept in <see cref="ExtensionData"/>.</summary>
public sealed class V1Pod : KubernetesModel
{
    /// <summary>API version of the object, e.g. <c>v1</c>.</summary>
    public string? ApiVersion { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Kind of the object.</summary>
    public string? Kind { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta? Metadata { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired state of the object.</summary>
    public V1PodSpec? Spec { get; set { ThrowIfFrozen(); field = value; } }
}
