namespace PolicyGate.Core.Kubernetes;

/// <summary>Reference to an owning object (<c>metadata.ownerReferences[]</c>).</summary>
public sealed class V1OwnerReference : KubernetesModel
{
    /// <summary>API version of the owner.</summary>
    public string? ApiVersion { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the owner cannot be deleted before this reference is removed.</summary>
    public bool? BlockOwnerDeletion { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the owner is the managing controller.</summary>
    public bool? Controller { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Kind of the owner.</summary>
    public string? Kind { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Name of the owner.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>UID of the owner.</summary>
    public string? Uid { get; set { ThrowIfFrozen(); field = value; } }
}
