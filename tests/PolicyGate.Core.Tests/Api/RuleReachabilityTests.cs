using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Tests.Api;

public class RuleReachabilityTests
{
    private static PolicySpec Spec(string[] groups, string[] versions, params string[] resources) => new()
    {
        Script = "return Allow();",
        Rules = [new RuleWithOperations(["CREATE"], groups, versions, resources)],
    };

    [Fact]
    public void Unreachable_CustomResourceInTheCoreGroup_NamedWithTheFix()
    {
        var found = RuleReachability.Unreachable(Spec([""], ["v1"], "pods", "sqlclaims", "widgets/status"));

        Assert.Equal(
            "spec.rules[0]: the core API group (\"\") has no resource \"sqlclaims\", \"widgets/status\": the API server never calls " +
            "this webhook for it (a custom resource lives in its own group: set apiGroups to it)",
            Assert.Single(found));
    }

    [Fact]
    public void Unreachable_CoreVersionOtherThanV1_Named()
    {
        Assert.Contains("serves only version v1, not v2", Assert.Single(RuleReachability.Unreachable(Spec([""], ["v2"], "pods"))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pods")]
    [InlineData("pods/exec")]
    [InlineData("pods/*")]
    [InlineData("*/status")]
    [InlineData("*")]
    [InlineData("*/*")]
    [InlineData("persistentvolumeclaims")]
    [InlineData("replicationcontrollers/scale")]
    public void Unreachable_CoreResources_None(string resource)
    {
        Assert.Empty(RuleReachability.Unreachable(Spec([""], ["v1"], resource)));
        Assert.Empty(RuleReachability.Unreachable(Spec([""], ["*"], resource)));
    }

    [Theory]
    [InlineData("*/scale2")]
    [InlineData("widgets/*")]
    public void Unreachable_WildcardsNoCoreResourceHas_Named(string resource)
    {
        Assert.Single(RuleReachability.Unreachable(Spec([""], ["v1"], resource)));
    }

    [Theory]
    [InlineData("db.example.com")]
    [InlineData("*")]
    public void Unreachable_OtherGroups_LeftToTheCluster(string group)
    {
        Assert.Empty(RuleReachability.Unreachable(Spec([group], ["v9"], "sqlclaims")));
        Assert.Empty(RuleReachability.Unreachable(Spec(["", group], ["v1"], "sqlclaims")));
    }
}
