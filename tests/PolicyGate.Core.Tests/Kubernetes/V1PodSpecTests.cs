using System.Text.Json;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public sealed class V1PodSpecTests
{
    [Fact]
    public void AllContainers_AllLists_YieldsInitThenRegularThenEphemeralInOrder()
    {
        var spec = new V1PodSpec
        {
            EphemeralContainers = [new V1EphemeralContainer { Name = "debugger", TargetContainerName = "app" }],
            Containers = [new V1Container { Name = "app" }, new V1Container { Name = "sidecar" }],
            InitContainers = [new V1Container { Name = "setup" }, new V1Container { Name = "migrate" }],
        };

        var all = spec.AllContainers().ToList();

        Assert.Equal(
            [
                (ContainerKind.Init, "setup"),
                (ContainerKind.Init, "migrate"),
                (ContainerKind.Regular, "app"),
                (ContainerKind.Regular, "sidecar"),
                (ContainerKind.Ephemeral, "debugger"),
            ],
            all.Select(c => (c.Kind, c.Container.Name!)));
        Assert.Equal("app", Assert.IsType<V1EphemeralContainer>(all[4].Container).TargetContainerName);
    }

    [Fact]
    public void AllContainers_MissingLists_AreSkipped()
    {
        var spec = new V1PodSpec { EphemeralContainers = [new V1EphemeralContainer { Name = "debugger" }] };

        var all = spec.AllContainers().ToList();

        Assert.Equal(new PodContainer(ContainerKind.Ephemeral, spec.EphemeralContainers[0]), Assert.Single(all));
        Assert.Empty(new V1PodSpec().AllContainers());
    }

    [Fact]
    public void AllContainers_ReturnsTheModelInstances_SoScriptsCanModifyThem()
    {
        var spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] };

        foreach (var podContainer in spec.AllContainers())
        {
            podContainer.Container.ImagePullPolicy = "Always";
        }

        Assert.Equal("Always", spec.Containers[0].ImagePullPolicy);
    }

    [Fact]
    public void Serialize_PodSpec_DoesNotIncludeAllContainers()
    {
        var spec = new V1PodSpec { Containers = [new V1Container { Name = "app" }] };

        Assert.Equal("""{"containers":[{"name":"app"}]}""", JsonSerializer.Serialize(spec, KubernetesJson.Options));
    }
}
