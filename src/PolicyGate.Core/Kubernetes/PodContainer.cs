namespace PolicyGate.Core.Kubernetes;

/// <summary>A container of a pod spec together with the list it belongs to.</summary>
/// <param name="Kind">The list the container comes from.</param>
/// <param name="Container">The container; a <see cref="V1EphemeralContainer"/> when <paramref name="Kind"/> is <see cref="ContainerKind.Ephemeral"/>.</param>
public sealed record PodContainer(ContainerKind Kind, V1Container Container)
{
    /// <summary>
    /// A human-readable name for messages: <c>init container "setup"</c>, <c>container "app"</c> or
    /// <c>ephemeral container "debugger"</c>.
    /// </summary>
    public string Describe()
    {
        var prefix = Kind switch
        {
            ContainerKind.Init => "init container",
            ContainerKind.Ephemeral => "ephemeral container",
            _ => "container",
        };
        return $"{prefix} \"{Container.Name}\"";
    }
}
