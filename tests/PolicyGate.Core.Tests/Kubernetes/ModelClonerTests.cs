using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public class ModelClonerTests
{
    private const string PodSpecJson = """
        {"securityContext":{"runAsNonRoot":true},"hostUsers":false,
         "initContainers":[{"name":"init","image":"busybox","resources":{"limits":{"cpu":"100m"}}}],
         "containers":[{"name":"app","image":"nginx","env":[{"name":"A","value":"1"}],"securityContext":{"capabilities":{"drop":["ALL"]}},"futureField":{"x":1}}],
         "ephemeralContainers":[{"name":"debug","image":"busybox","targetContainerName":"app"}],
         "tolerations":[{"key":"k","operator":"Exists"}],"someNewField":[1,2,3]}
        """;

    public static TheoryData<Type> ModelTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var type in typeof(KubernetesModel).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(KubernetesModel)) && !t.IsAbstract))
        {
            data.Add(type);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void CloneAndFreeze_EveryModelType_IsSupported(Type type)
    {
        var model = (KubernetesModel)Activator.CreateInstance(type)!;

        var copy = ModelCloner.Clone(model)!;
        ModelFreezer.Freeze(model);

        Assert.IsType(type, copy);
        Assert.True(model.IsReadOnly);
        Assert.False(copy.IsReadOnly);
    }

    [Fact]
    public void Clone_PodSpec_IsDeepAndSerialisesTheSame()
    {
        var original = KubernetesJson.Deserialize<V1PodSpec>(JsonDocument.Parse(PodSpecJson).RootElement)!;

        var copy = ModelCloner.Clone(original)!;
        copy.Containers![0].SecurityContext!.Capabilities!.Drop!.Add("NET_RAW");
        copy.InitContainers![0].Resources!.Limits!["memory"] = ResourceQuantity.Parse("1Gi");

        Assert.Equal(["ALL"], original.Containers![0].SecurityContext!.Capabilities!.Drop!);
        Assert.False(original.InitContainers![0].Resources!.Limits!.ContainsKey("memory"));
        Assert.IsType<V1EphemeralContainer>(ModelCloner.Clone(original)!.EphemeralContainers![0]);
        Assert.True(JsonNode.DeepEquals(KubernetesJson.SerializeToNode(original), KubernetesJson.SerializeToNode(ModelCloner.Clone(original))));
    }

    [Fact]
    public void Freeze_PodSpec_EveryLevelRefusesChangesAndStillReads()
    {
        var spec = ModelFreezer.Freeze(KubernetesJson.Deserialize<V1PodSpec>(JsonDocument.Parse(PodSpecJson).RootElement))!;

        Assert.Throws<ReadOnlyModelException>(() => spec.HostUsers = true);
        Assert.Throws<ReadOnlyModelException>(() => spec.Containers!.Add(new V1Container()));
        Assert.Throws<ReadOnlyModelException>(() => spec.Containers![0].Image = "evil");
        Assert.Throws<ReadOnlyModelException>(() => spec.Containers![0].SecurityContext!.Capabilities!.Drop!.Clear());
        Assert.Throws<ReadOnlyModelException>(() => spec.InitContainers![0].Resources!.Limits!["cpu"] = ResourceQuantity.Parse("1"));
        Assert.Throws<ReadOnlyModelException>(() => spec.ExtensionData!.Remove("someNewField"));
        Assert.Equal("nginx", spec.Containers![0].Image);
        Assert.Equal(3, spec.AllContainers().Count());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(PodSpecJson), KubernetesJson.SerializeToNode(spec)));
    }

    [Fact]
    public void Clone_FrozenModel_GivesAChangeableCopy()
    {
        var frozen = ModelFreezer.Freeze(KubernetesJson.Deserialize<V1PodSpec>(JsonDocument.Parse(PodSpecJson).RootElement))!;

        var copy = ModelCloner.Clone(frozen)!;
        copy.Containers!.Add(new V1Container { Name = "sidecar" });
        copy.Containers[0].Image = "nginx:1.27";

        Assert.Equal(2, copy.Containers.Count);
        Assert.Single(frozen.Containers!);
    }
}
