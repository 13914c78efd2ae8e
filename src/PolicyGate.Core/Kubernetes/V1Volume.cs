namespace PolicyGate.Core.Kubernetes;

/// <summary>A pod volume. Only <c>hostPath</c> is typed; every other volume source stays in <see cref="ExtensionData"/>.</summary>
public sealed class V1Volume : KubernetesModel
{
    /// <summary>Host path volume source.</summary>
    public V1HostPathVolumeSource? HostPath { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Volume name.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }
}
