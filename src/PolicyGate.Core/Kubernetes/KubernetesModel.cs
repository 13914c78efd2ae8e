using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Base class of the Kubernetes models. It keeps what a model does not declare, so that deserialising and
/// serialising a model with <see cref="KubernetesJson.Options"/> loses nothing.
/// </summary>
public abstract class KubernetesModel
{
    /// <summary>
    /// JSON fields the model does not declare (<c>status</c>, fields of newer API versions...), kept verbatim and
    /// written back after the declared ones.
    /// </summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>
    /// True for the engine's shared parse of a request, which every non-mutating policy reads: changing it would
    /// change what other policies see, so its setters and collections refuse changes (see <see cref="ModelFreezer"/>).
    /// </summary>
    [JsonIgnore]
    public bool IsReadOnly { get; private set; }

    internal void MarkReadOnly() => IsReadOnly = true;

    /// <summary>Throws <see cref="ReadOnlyModelException"/> if this model is read-only.</summary>
    protected void ThrowIfFrozen()
    {
        if (IsReadOnly)
        {
            throw new ReadOnlyModelException(GetType().Name);
        }
    }

    /// <summary>
    /// JSON names of declared properties that were an explicit <c>null</c> in the JSON this model was read from,
    /// so that they are written back as <c>null</c> rather than omitted (see <see cref="ExplicitNullTracking"/>).
    /// </summary>
    internal HashSet<string>? ExplicitNulls { get; set; }
}
