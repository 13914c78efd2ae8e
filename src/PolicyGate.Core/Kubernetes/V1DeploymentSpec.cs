using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a deployment.</summary>
public sealed class V1DeploymentSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the deployment is paused.</summary>
    public bool? Paused { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Seconds before a stalled rollout is reported as failed.</summary>
    public int? ProgressDeadlineSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired number of pods.</summary>
    public int? Replicas { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Number of old revisions kept.</summary>
    public int? RevisionHistoryLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Rollout strategy, kept as raw JSON.</summary>
    public JsonElement? Strategy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }
}
