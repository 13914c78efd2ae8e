namespace PolicyGate.Core.Kubernetes;

/// <summary>Windows-specific security options.</summary>
public sealed class V1WindowsSecurityContextOptions : KubernetesModel
{
    /// <summary>Inline GMSA credential spec.</summary>
    public string? GmsaCredentialSpec { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Name of the GMSA credential spec.</summary>
    public string? GmsaCredentialSpecName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the container runs as a host process.</summary>
    public bool? HostProcess { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>User name the entrypoint runs as.</summary>
    public string? RunAsUserName { get; set { ThrowIfFrozen(); field = value; } }
}
