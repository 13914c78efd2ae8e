using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public class ObjectSchemaTests
{
    private static string? Check(string json, string group, string version, string kind)
    {
        using var document = JsonDocument.Parse(json);
        return ObjectSchema.FindTypeError(document.RootElement, new GroupVersionKind { Group = group, Version = version, Kind = kind });
    }

    [Fact]
    public void FindTypeError_WellFormedPod_None()
    {
        Assert.Null(Check("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""", "", "v1", "Pod"));
    }

    [Fact]
    public void FindTypeError_LabelValueANumber_NamesTheLabel()
    {
        var error = Check("""{"metadata":{"name":"a","labels":{"app":5}},"spec":{}}""", "", "v1", "Pod");

        Assert.Equal("metadata.labels.app: expected a string or null, got a number", error);
    }

    [Fact]
    public void FindTypeError_ContainersAString_NamesTheField()
    {
        var error = Check("""{"metadata":{"name":"a"},"spec":{"containers":"nginx"}}""", "", "v1", "Pod");

        Assert.Equal("spec.containers: expected an array or null, got a string", error);
    }

    [Fact]
    public void FindTypeError_DeepInAPodTemplate_GivesTheWholePath()
    {
        var error = Check(
            """{"spec":{"template":{"spec":{"containers":[{"name":"c","securityContext":{"runAsNonRoot":"yes"}}]}}}}""",
            "apps", "v1", "Deployment");

        Assert.Equal("spec.template.spec.containers[0].securityContext.runAsNonRoot: expected true, false or null, got a string", error);
    }

    [Fact]
    public void FindTypeError_CustomResource_ChecksOnlyItsMetadata()
    {
        Assert.Null(Check("""{"metadata":{"name":"a"},"spec":{"size":[1,2],"containers":"any"}}""", "example.com", "v1", "SQLClaim"));
        Assert.Equal(
            "metadata.annotations.owner: expected a string or null, got an object",
            Check("""{"metadata":{"name":"a","annotations":{"owner":{"team":"x"}}}}""", "example.com", "v1", "SQLClaim"));
    }

    [Fact]
    public void FindTypeError_MetadataNotAnObject_SaysSo()
    {
        Assert.Equal("metadata: expected an object or null, got an array", Check("""{"metadata":[1]}""", "example.com", "v1", "SQLClaim"));
    }

    [Fact]
    public void FindTypeError_OlderApiVersionOfAKnownKind_ChecksOnlyItsMetadata()
    {
        // extensions/v1beta1 Deployments are not the apps/v1 model: only the metadata every object has is checked.
        Assert.Null(Check("""{"metadata":{"name":"a"},"spec":{"template":"old"}}""", "extensions", "v1beta1", "Deployment"));
    }
}
