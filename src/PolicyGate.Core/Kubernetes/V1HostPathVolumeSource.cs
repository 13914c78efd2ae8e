namespace PolicyGate.Core.Kubernetes;

/// <summary>A host path volume source (<c>volumes[].hostPath</c>).</summary>
public sealed class V1HostPathVolumeSource : KubernetesModel
{
    /// <summary>Path on the host.</summary>
    public string? Path { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Host path type, e.g. <c>Directory</c>.</summary>
    public string? Type { get; set { ThrowIfFrozen(); field = value; } }
}
