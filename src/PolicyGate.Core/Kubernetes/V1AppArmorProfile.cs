namespace PolicyGate.Core.Kubernetes;

/// <summary>An AppArmor profile.</summary>
public sealed class V1AppArmorProfile : KubernetesModel
{
    /// <summary>Profile loaded on the node, when <see cref="Type"/> is <c>Localhost</c>.</summary>
    public string? LocalhostProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>RuntimeDefault</c>, <c>Localhost</c> or <c>Unconfined</c>.</summary>
    public string? Type { get; set { ThrowIfFrozen(); field = value; } }
}
