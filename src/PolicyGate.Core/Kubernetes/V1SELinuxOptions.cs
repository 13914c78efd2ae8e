namespace PolicyGate.Core.Kubernetes;

/// <summary>SELinux labels.</summary>
public sealed class V1SELinuxOptions : KubernetesModel
{
    /// <summary>SELinux level.</summary>
    public string? Level { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>SELinux role.</summary>
    public string? Role { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>SELinux type.</summary>
    public string? Type { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>SELinux user.</summary>
    public string? User { get; set { ThrowIfFrozen(); field = value; } }
}
