namespace PolicyGate.Core.Kubernetes;

/// <summary>A mount of a volume into a container.</summary>
public sealed class V1VolumeMount : KubernetesModel
{
    /// <summary>Path inside the container.</summary>
    public string? MountPath { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Mount propagation mode.</summary>
    public string? MountPropagation { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Name of the mounted volume.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the mount is read-only.</summary>
    public bool? ReadOnly { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Recursive read-only mode.</summary>
    public string? RecursiveReadOnly { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Path within the volume to mount.</summary>
    public string? SubPath { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Expanded path within the volume to mount.</summary>
    public string? SubPathExpr { get; set { ThrowIfFrozen(); field = value; } }
}
