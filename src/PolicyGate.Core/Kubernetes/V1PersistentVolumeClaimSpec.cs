using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a persistent volume claim.</summary>
public sealed class V1PersistentVolumeClaimSpec : KubernetesModel
{
    /// <summary>Desired access modes, e.g. <c>ReadWriteOnce</c>.</summary>
    public IList<string>? AccessModes { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Data source to populate the volume from, kept as raw JSON.</summary>
    public JsonElement? DataSource { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Data source reference, kept as raw JSON.</summary>
    public JsonElement? DataSourceRef { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Storage requested.</summary>
    public V1VolumeResourceRequirements? Resources { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over volumes to bind to.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Storage class name.</summary>
    public string? StorageClassName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Volume attributes class name.</summary>
    public string? VolumeAttributesClassName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>Filesystem</c> or <c>Block</c>.</summary>
    public string? VolumeMode { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Name of the volume to bind to.</summary>
    public string? VolumeName { get; set { ThrowIfFrozen(); field = value; } }
}
