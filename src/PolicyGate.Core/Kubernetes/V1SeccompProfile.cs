namespace PolicyGate.Core.Kubernetes;

/// <summary>A seccomp profile.</summary>
public sealed class V1SeccompProfile : KubernetesModel
{
    /// <summary>Profile file on the node, when <see cref="Type"/> is <c>Localhost</c>.</summary>
    public string? LocalhostProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>RuntimeDefault</c>, <c>Localhost</c> or <c>Unconfined</c>.</summary>
    public string? Type { get; set { ThrowIfFrozen(); field = value; } }
}
