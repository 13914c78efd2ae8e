namespace PolicyGate.Core.Kubernetes;

/// <summary>Pod-level security attributes (<c>spec.securityContext</c>).</summary>
public sealed class V1PodSecurityContext : KubernetesModel
{
    /// <summary>AppArmor profile.</summary>
    public V1AppArmorProfile? AppArmorProfile { get; set; }

    /// <summary>Supplemental group applied to volumes.</summary>
    public long? FsGroup { get; set; }

    /// <summary>How volume ownership is changed.</summary>
    public string? FsGroupChangePolicy { get; set; }

    /// <summary>GID the entrypoints run as.</summary>
    public long? RunAsGroup { get; set; }

    /// <summary>Whether containers must run as a non-root user.</summary>
    public bool? RunAsNonRoot { get; set; }

    /// <summary>UID the entrypoints run as.</summary>
    public long? RunAsUser { get; set; }

    /// <summary>How the SELinux label is applied to volumes.</summary>
    public string? SeLinuxChangePolicy { get; set; }

    /// <summary>SELinux context (<c>seLinuxOptions</c>).</summary>
    public V1SELinuxOptions? SeLinuxOptions { get; set; }

    /// <summary>Seccomp profile.</summary>
    public V1SeccompProfile? SeccompProfile { get; set; }

    /// <summary>Extra groups of the first process in each container.</summary>
    public IList<long>? SupplementalGroups { get; set; }

    /// <summary>How supplemental groups are computed.</summary>
    public string? SupplementalGroupsPolicy { get; set; }

    /// <summary>Namespaced sysctls.</summary>
    public IList<V1Sysctl>? Sysctls { get; set; }

    /// <summary>Windows-specific options.</summary>
    public V1WindowsSecurityContextOptions? WindowsOptions { get; set; }
}
