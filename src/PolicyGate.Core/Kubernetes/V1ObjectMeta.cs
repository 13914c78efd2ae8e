using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Standard Kubernetes object metadata (<c>metadata</c>).</summary>
public sealed class V1ObjectMeta : KubernetesModel
{
    /// <summary>Unstructured key/value annotations.</summary>
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Creation time as the RFC 3339 text the API server sent (kept verbatim).</summary>
    public string? CreationTimestamp { get; set; }

    /// <summary>Seconds allowed for graceful termination once deletion was requested.</summary>
    public long? DeletionGracePeriodSeconds { get; set; }

    /// <summary>Time the object was requested for deletion, as RFC 3339 text.</summary>
    public string? DeletionTimestamp { get; set; }

    /// <summary>Finalizers that must be removed before the object is deleted.</summary>
    public IList<string>? Finalizers { get; set; }

    /// <summary>Prefix the server uses to generate a unique name when <see cref="Name"/> is empty.</summary>
    public string? GenerateName { get; set; }

    /// <summary>Sequence number of the desired state.</summary>
    public long? Generation { get; set; }

    /// <summary>Key/value labels.</summary>
    public IDictionary<string, string>? Labels { get; set; }

    /// <summary>Server-side apply field ownership entries, kept as raw JSON.</summary>
    public IList<JsonElement>? ManagedFields { get; set; }

    /// <summary>Object name, unique within its namespace.</summary>
    public string? Name { get; set; }

    /// <summary>Namespace of the object (<c>namespace</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>Objects this object depends on.</summary>
    public IList<V1OwnerReference>? OwnerReferences { get; set; }

    /// <summary>Opaque version used for optimistic concurrency.</summary>
    public string? ResourceVersion { get; set; }

    /// <summary>Deprecated link to the object.</summary>
    public string? SelfLink { get; set; }

    /// <summary>Unique identifier assigned by the server.</summary>
    public string? Uid { get; set; }
}
