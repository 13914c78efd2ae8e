namespace PolicyGate.Core.Kubernetes;

/// <summary>An ephemeral (debug) container added to a running pod.</summary>
public sealed class V1EphemeralContainer : V1Container
{
    /// <summary>Container whose namespaces the ephemeral container targets.</summary>
    public string? TargetContainerName { get; set { ThrowIfFrozen(); field = value; } }
}
