namespace PolicyGate.Core.Kubernetes;

/// <summary>A Job (<c>batch/v1</c>). <c>status</c> is kept in <see cref="ExtensionData"/>.</summary>
public sealed class V1Job : KubernetesModel
{
    /// <summary>API version of the object, e.g. <c>batch/v1</c>.</summary>
    public string? ApiVersion { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Kind of the object.</summary>
    public string? Kind { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Standard object metadata.</summary>
    public V1ObjectMeta? Metadata { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired state of the object.</summary>
    public V1JobSpec? Spec { get; set { ThrowIfFrozen(); field = value; } }
}
