namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a replication controller.</summary>
public sealed class V1ReplicationControllerSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired number of pods.</summary>
    public int? Replicas { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Equality-based label query over the controller's pods (a plain map, unlike other controllers).</summary>
    public IDictionary<string, string>? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }
}
