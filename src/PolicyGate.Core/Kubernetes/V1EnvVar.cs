using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>An environment variable of a container.</summary>
public sealed class V1EnvVar : KubernetesModel
{
    /// <summary>Variable name.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Literal value.</summary>
    public string? Value { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Source of the value (secret, config map, field...), kept as raw JSON.</summary>
    public JsonElement? ValueFrom { get; set { ThrowIfFrozen(); field = value; } }
}
