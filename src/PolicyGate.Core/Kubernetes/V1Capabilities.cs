namespace PolicyGate.Core.Kubernetes;

/// <summary>Linux capabilities to add to and drop from a container.</summary>
public sealed class V1Capabilities : KubernetesModel
{
    /// <summary>Capabilities to add.</summary>
    public IList<string>? Add { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Capabilities to drop.</summary>
    public IList<string>? Drop { get; set { ThrowIfFrozen(); field = value; } }
}
