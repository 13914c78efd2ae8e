namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a replica set.</summary>
public sealed class V1ReplicaSetSpec : KubernetesModel
{
    /// <summary>Seconds a new pod must be ready before it counts as available.</summary>
    public int? MinReadySeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired number of pods.</summary>
    public int? Replicas { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }
}
