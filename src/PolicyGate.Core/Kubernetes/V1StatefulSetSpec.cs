using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a stateful set.</summary>
public sealed class V1StatefulSetSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Replica index numbering, kept as raw JSON.</summary>
    public JsonElement? Ordinals { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Lifecycle of the claims created from the volume claim templates, kept as raw JSON.</summary>
    public JsonElement? PersistentVolumeClaimRetentionPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>OrderedReady</c> or <c>Parallel</c>.</summary>
    public string? PodManagementPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired number of pods.</summary>
    public int? Replicas { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Number of old revisions kept.</summary>
    public int? RevisionHistoryLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Governing service name.</summary>
    public string? ServiceName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Update strategy, kept as raw JSON.</summary>
    public JsonElement? UpdateStrategy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Claims each pod gets a volume from.</summary>
    public IList<V1PersistentVolumeClaim>? VolumeClaimTemplates { get; set { ThrowIfFrozen(); field = value; } }
}
