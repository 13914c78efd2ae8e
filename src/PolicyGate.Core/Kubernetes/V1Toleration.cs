namespace PolicyGate.Core.Kubernetes;

/// <summary>A toleration of a node taint.</summary>
public sealed class V1Toleration : KubernetesModel
{
    /// <summary>Taint effect to match.</summary>
    public string? Effect { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Taint key to match.</summary>
    public string? Key { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>Exists</c> or <c>Equal</c>.</summary>
    public string? Operator { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>How long a <c>NoExecute</c> taint is tolerated.</summary>
    public long? TolerationSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Taint value to match.</summary>
    public string? Value { get; set { ThrowIfFrozen(); field = value; } }
}
