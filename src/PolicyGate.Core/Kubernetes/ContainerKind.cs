namespace PolicyGate.Core.Kubernetes;

/// <summary>Which list of a pod spec a container comes from.</summary>
public enum ContainerKind
{
    /// <summary>An entry of <c>initContainers</c>.</summary>
    Init,

    /// <summary>An entry of <c>containers</c>.</summary>
    Regular,

    /// <summary>An entry of <c>ephemeralContainers</c>.</summary>
    Ephemeral,
}
