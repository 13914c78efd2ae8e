using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public sealed class PodSpecPathTests
{
    [Theory]
    [InlineData("Pod", "/spec")]
    [InlineData("Deployment", "/spec/template/spec")]
    [InlineData("ReplicaSet", "/spec/template/spec")]
    [InlineData("StatefulSet", "/spec/template/spec")]
    [InlineData("DaemonSet", "/spec/template/spec")]
    [InlineData("Job", "/spec/template/spec")]
    [InlineData("ReplicationController", "/spec/template/spec")]
    [InlineData("CronJob", "/spec/jobTemplate/spec/template/spec")]
    public void ForKind_PodCarryingKind_GivesPodSpecPath(string kind, string pointer)
    {
        var path = PodSpecPath.ForKind(kind);

        Assert.NotNull(path);
        Assert.Equal(pointer, PodSpecPath.ToJsonPointer(path));
        Assert.Equal(pointer.Split('/')[1..], path);
    }

    [Theory]
    [InlineData("Pod", "/metadata")]
    [InlineData("Deployment", "/spec/template/metadata")]
    [InlineData("ReplicaSet", "/spec/template/metadata")]
    [InlineData("StatefulSet", "/spec/template/metadata")]
    [InlineData("DaemonSet", "/spec/template/metadata")]
    [InlineData("Job", "/spec/template/metadata")]
    [InlineData("ReplicationController", "/spec/template/metadata")]
    [InlineData("CronJob", "/spec/jobTemplate/spec/template/metadata")]
    public void MetadataForKind_PodCarryingKind_GivesPodMetadataPath(string kind, string pointer)
    {
        var path = PodSpecPath.MetadataForKind(kind);

        Assert.NotNull(path);
        Assert.Equal(pointer, PodSpecPath.ToJsonPointer(path));
    }

    [Theory]
    [InlineData("Service")]
    [InlineData("PersistentVolumeClaim")]
    [InlineData("PodTemplate")]
    [InlineData("pod")]
    [InlineData("deployment")]
    [InlineData("CronJobs")]
    [InlineData("")]
    public void ForKind_OtherKind_ReturnsNull(string kind)
    {
        Assert.Null(PodSpecPath.ForKind(kind));
        Assert.Null(PodSpecPath.MetadataForKind(kind));
    }

    [Fact]
    public void ForKind_ReturnedPath_CannotBeModified()
    {
        var path = PodSpecPath.ForKind("Deployment")!;

        Assert.Throws<NotSupportedException>(() => ((IList<string>)path)[0] = "status");
        Assert.Equal("/spec/template/spec", PodSpecPath.ToJsonPointer(PodSpecPath.ForKind("Deployment")!));
    }

    [Fact]
    public void ToJsonPointer_SpecialCharacters_AreEscapedPerRfc6901()
    {
        Assert.Equal("/metadata/annotations/example.com~1a~0b", PodSpecPath.ToJsonPointer(["metadata", "annotations", "example.com/a~b"]));
        Assert.Equal(string.Empty, PodSpecPath.ToJsonPointer([]));
    }
}
