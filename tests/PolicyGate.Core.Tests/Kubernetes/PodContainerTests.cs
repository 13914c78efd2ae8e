using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public sealed class PodContainerTests
{
    [Theory]
    [InlineData(ContainerKind.Init, "setup", "init container \"setup\"")]
    [InlineData(ContainerKind.Regular, "app", "container \"app\"")]
    [InlineData(ContainerKind.Ephemeral, "debugger", "ephemeral container \"debugger\"")]
    public void Describe_EachKind_NamesKindAndContainer(ContainerKind kind, string name, string expected)
    {
        V1Container container = kind == ContainerKind.Ephemeral ? new V1EphemeralContainer { Name = name } : new V1Container { Name = name };

        Assert.Equal(expected, new PodContainer(kind, container).Describe());
    }
}
