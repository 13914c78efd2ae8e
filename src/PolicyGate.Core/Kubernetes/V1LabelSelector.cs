namespace PolicyGate.Core.Kubernetes;

/// <summary>A label query.</summary>
public sealed class V1LabelSelector : KubernetesModel
{
    /// <summary>Set-based requirements, ANDed.</summary>
    public IList<V1LabelSelectorRequirement>? MatchExpressions { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Equality-based requirements, ANDed.</summary>
    public IDictionary<string, string>? MatchLabels { get; set { ThrowIfFrozen(); field = value; } }
}
