namespace PolicyGate.Core.Kubernetes;

/// <summary>A network port of a container.</summary>
public sealed class V1ContainerPort : KubernetesModel
{
    /// <summary>Port number on the container's IP address.</summary>
    public int? ContainerPort { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Host IP to bind the external port to (<c>hostIP</c>).</summary>
    public string? HostIP { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Port number on the host.</summary>
    public int? HostPort { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Port name.</summary>
    public string? Name { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Protocol: <c>TCP</c>, <c>UDP</c> or <c>SCTP</c>.</summary>
    public string? Protocol { get; set { ThrowIfFrozen(); field = value; } }
}
