using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Tests.Api;

public class WebhookPathsTests
{
    private static PolicyResource Cluster(string name, bool mutating = false) =>
        new(PolicyKind.ClusterAdmissionPolicy, name, null, new PolicySpec { Mutating = mutating }, "test#1");

    private static PolicyResource Namespaced(string ns, string name, bool mutating = false) =>
        new(PolicyKind.AdmissionPolicy, name, ns, new PolicySpec { Mutating = mutating }, "test#1");

    [Fact]
    public void Paths_ClusterPolicy_OneSegmentAfterThePrefix()
    {
        var policy = Cluster("no-latest.v2");

        Assert.Equal("/validate/no-latest.v2", WebhookPaths.ValidatePath(policy));
        Assert.Equal("/mutate/no-latest.v2", WebhookPaths.MutatePath(policy));
    }

    [Fact]
    public void Paths_AdmissionPolicy_NamespaceThenName()
    {
        var policy = Namespaced("shop", "limits");

        Assert.Equal("/validate/shop/limits", WebhookPaths.ValidatePath(policy));
        Assert.Equal("/mutate/shop/limits", WebhookPaths.MutatePath(policy));
    }

    [Fact]
    public void PathOf_MutatingOrNot_PicksThePrefix()
    {
        Assert.Equal("/mutate/p", WebhookPaths.PathOf(Cluster("p", mutating: true)));
        Assert.Equal("/validate/p", WebhookPaths.PathOf(Cluster("p")));
    }

    [Fact]
    public void WebhookName_BothKinds_EndInPolicyGateDomain()
    {
        Assert.Equal("no-latest.policygate.io", WebhookPaths.WebhookName(Cluster("no-latest")));
        Assert.Equal("limits.shop.policygate.io", WebhookPaths.WebhookName(Namespaced("shop", "limits")));
    }

    [Fact]
    public void WebhookName_DashedNamespacesAndNames_DoNotCollide()
    {
        Assert.NotEqual(WebhookPaths.WebhookName(Namespaced("a-b", "c")), WebhookPaths.WebhookName(Namespaced("a", "b-c")));
    }

    [Fact]
    public void TryParse_WrittenPaths_RoundTrip()
    {
        foreach (var policy in new[] { Cluster("p.q"), Namespaced("shop", "limits"), Cluster("m", mutating: true), Namespaced("ns", "m", mutating: true) })
        {
            Assert.True(WebhookPaths.TryParse(WebhookPaths.PathOf(policy), out var route));
            Assert.Equal(new WebhookRoute(policy.Spec.Mutating, policy.Kind, policy.Namespace, policy.Name), route);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/validate/")]
    [InlineData("/validate")]
    [InlineData("/mutate//p")]
    [InlineData("/validate/a/b/c")]
    [InlineData("/validate/p/")]
    [InlineData("/other/p")]
    [InlineData("validate/p")]
    public void TryParse_OtherPaths_False(string? path)
    {
        Assert.False(WebhookPaths.TryParse(path, out var route));
        Assert.Null(route);
    }
}
