namespace PolicyGate.Core.Kubernetes;

/// <summary>Storage resource requirements of a persistent volume claim.</summary>
public sealed class V1VolumeResourceRequirements : KubernetesModel
{
    /// <summary>Maximum amounts of resources allowed, by resource name.</summary>
    public IDictionary<string, ResourceQuantity>? Limits { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Minimum amounts of resources required, by resource name.</summary>
    public IDictionary<string, ResourceQuantity>? Requests { get; set { ThrowIfFrozen(); field = value; } }
}
