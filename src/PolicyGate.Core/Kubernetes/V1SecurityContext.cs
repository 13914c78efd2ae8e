namespace PolicyGate.Core.Kubernetes;

/// <summary>Container-level security attributes (<c>containers[].securityContext</c>).</summary>
public sealed class V1SecurityContext : KubernetesModel
{
    /// <summary>Whether a process can gain more privileges than its parent.</summary>
    public bool? AllowPrivilegeEscalation { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>AppArmor profile.</summary>
    public V1AppArmorProfile? AppArmorProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Capabilities to add and drop.</summary>
    public V1Capabilities? Capabilities { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the container runs privileged.</summary>
    public bool? Privileged { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Proc mount type, e.g. <c>Default</c> or <c>Unmasked</c>.</summary>
    public string? ProcMount { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the root filesystem is read-only.</summary>
    public bool? ReadOnlyRootFilesystem { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>GID the entrypoint runs as.</summary>
    public long? RunAsGroup { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the container must run as a non-root user.</summary>
    public bool? RunAsNonRoot { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>UID the entrypoint runs as.</summary>
    public long? RunAsUser { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>SELinux context (<c>seLinuxOptions</c>).</summary>
    public V1SELinuxOptions? SeLinuxOptions { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Seccomp profile.</summary>
    public V1SeccompProfile? SeccompProfile { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Windows-specific options.</summary>
    public V1WindowsSecurityContextOptions? WindowsOptions { get; set { ThrowIfFrozen(); field = value; } }
}
