namespace PolicyGate.Core.Kubernetes;

/// <summary>SELinux labels.</summary>
public sealed class V1SELinuxOptions : KubernetesModel
{
    /// <summary>SELinux level.</summary>
    public string? Level { get; set; }

    /// <summary>SELinux role.</summary>
    public string? Role { get; set; }

    /// <summary>SELinux type.</summary>
    public string? Type { get; set; }

    /// <summary>SELinux user.</summary>
    public string? User { get; set; }
}
