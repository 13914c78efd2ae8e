namespace PolicyGate.Core.Kubernetes;

/// <summary>Pod-level security attributes (<c>spec.securityContext</c>).</summary>
public sealed class V1PodSecurityContext : KubernetesModel
{
    /// <summary>AppArmor profile.</summary>
    public V1AppArmorProfile? AppArmorProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Supplemental group applied to volumes.</summary>
    public long? FsGroup { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>How volume ownership is changed.</summary>
    public string? FsGroupChangePolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>GID the entrypoints run as.</summary>
    public long? RunAsGroup { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether containers must run as a non-root user.</summary>
    public bool? RunAsNonRoot { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>UID the entrypoints run as.</summary>
    public long? RunAsUser { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>How the SELinux label is applied to volumes.</summary>
    public string? SeLinuxChangePolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>SELinux context (<c>seLinuxOptions</c>).</summary>
    public V1SELinuxOptions? SeLinuxOptions { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Seccomp profile.</summary>
    public V1SeccompProfile? SeccompProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Extra groups of the first process in each container.</summary>
    public IList<long>? SupplementalGroups { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>How supplemental groups are computed.</summary>
    public string? SupplementalGroupsPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Namespaced sysctls.</summary>
    public IList<V1Sysctl>? Sysctls { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Windows-specific options.</summary>
    public V1WindowsSecurityContextOptions? WindowsOptions { get; set { ThrowIfFrozen(); field = value; } }
}
