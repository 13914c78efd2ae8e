using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a daemon set.</summary>
public sealed class V1DaemonSetSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set; }

    /// <summary>Number of old revisions kept.</summary>
    public int? RevisionHistoryLimit { get; set; }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set; }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set; }

    /// <summary>Update strategy, kept as raw JSON.</summary>
    public JsonElement? UpdateStrategy { get; set; }
}
