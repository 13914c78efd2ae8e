using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Standard Kubernetes object metadata (<c>metadata</c>).</summary>
public sealed class V1ObjectMeta : KubernetesModel
{
    /// <summary>Unstructured key/value annotations.</summary>
    public IDictionary<string, string>? Annotations { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Creation time as the RFC 3339 text the API server sent (kept verbatim).</summary>
    public string? CreationTimestamp { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Seconds allowed for graceful termination once deletion was requested.</summary>
    public long? DeletionGracePeriodSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Time the object was requested for deletion, as RFC 3339 text.</summary>
    public string? DeletionTimestamp { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Finalizers that must be removed before the object is deleted.</summary>
    public IList<string>? Finalizers { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Prefix the server uses to generate a unique name when <see cref="Name"/> is empty.</summary>
    public string? GenerateName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Sequence number of the desired state.</summary>
    public long? Generation { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Key/value labels.</summary>
    public IDictionary<string, string>? Labels { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Server-side apply field ownership entries, kept as raw JSON.</summary>
    public IList<JsonElement>? ManagedFields { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Object name, unique within its namespace.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Namespace of the object (<c>namespace</c>).</summary>
    public string? Namespace { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Objects this object depends on.</summary>
    public IList<V1OwnerReference>? OwnerReferences { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Opaque version used for optimistic concurrency.</summary>
    public string? ResourceVersion { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Deprecated link to the object.</summary>
    public string? SelfLink { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Unique identifier assigned by the server.</summary>
    public string? Uid { get; set { ThrowIfFrozen(); field = value; } }
}
