using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a persistent volume claim.</summary>
public sealed class V1PersistentVolumeClaimSpec : KubernetesModel
{
    /// <summary>Desired access modes, e.g. <c>ReadWriteOnce</c>.</summary>
    public IList<string>? AccessModes { get; set; }

    /// <summary>Data source to populate the volume from, kept as raw JSON.</summary>
    public JsonElement? DataSource { get; set; }

    /// <summary>Data source reference, kept as raw JSON.</summary>
    public JsonElement? DataSourceRef { get; set; }

    /// <summary>Storage requested.</summary>
    public V1VolumeResourceRequirements? Resources { get; set; }

    /// <summary>Label query over volumes to bind to.</summary>
    public V1LabelSelector? Selector { get; set; }

    /// <summary>Storage class name.</summary>
    public string? StorageClassName { get; set; }

    /// <summary>Volume attributes class name.</summary>
    public string? VolumeAttributesClassName { get; set; }

    /// <summary><c>Filesystem</c> or <c>Block</c>.</summary>
    public string? VolumeMode { get; set; }

    /// <summary>Name of the volume to bind to.</summary>
    public string? VolumeName { get; set; }
}
