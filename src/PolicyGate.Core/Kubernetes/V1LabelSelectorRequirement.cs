namespace PolicyGate.Core.Kubernetes;

/// <summary>A set-based label selector requirement.</summary>
public sealed class V1LabelSelectorRequirement : KubernetesModel
{
    /// <summary>Label key.</summary>
    public string? Key { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>In</c>, <c>NotIn</c>, <c>Exists</c> or <c>DoesNotExist</c>.</summary>
    public string? Operator { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label values.</summary>
    public IList<string>? Values { get; set { ThrowIfFrozen(); field = value; } }
}
