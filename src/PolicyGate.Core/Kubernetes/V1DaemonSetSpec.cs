using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a daemon set.</summary>
public sealed class V1DaemonSetSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Number of old revisions kept.</summary>
    public int? RevisionHistoryLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Update strategy, kept as raw JSON.</summary>
    public JsonElement? UpdateStrategy { get; set { ThrowIfFrozen(); field = value; } }
}
