namespace PolicyGate.Core.Kubernetes;

/// <summary>Compute resource requirements of a container or pod.</summary>
public sealed class V1ResourceRequirements : KubernetesModel
{
    /// <summary>Dynamic resource claims used by the container.</summary>
    public IList<V1ResourceClaim>? Claims { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Maximum amounts of resources allowed, by resource name.</summary>
    public IDictionary<string, ResourceQuantity>? Limits { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Minimum amounts of resources required, by resource name.</summary>
    public IDictionary<string, ResourceQuantity>? Requests { get; set { ThrowIfFrozen(); field = value; } }
}
