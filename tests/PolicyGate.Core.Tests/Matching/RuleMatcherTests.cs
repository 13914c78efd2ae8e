using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Matching;

namespace PolicyGate.Core.Tests.Matching;

public class RuleMatcherTests
{
    private static AdmissionRequest Request(string group, string version, string resource, string sub = "", string op = "CREATE", string? ns = "default") => new()
    {
        Uid = "u",
        Operation = op,
        Namespace = ns,
        Resource = new GroupVersionResource { Group = group, Version = version, Resource = resource },
        SubResource = sub,
    };

    private static RuleWithOperations Rule(string resources, string ops = "CREATE", string groups = "", string versions = "v1", string scope = "*") =>
        new(ops.Split(','), groups.Split(','), versions.Split(','), resources.Split(','), scope);

    [Theory]
    [InlineData("pods", "pods", "", true)]
    [InlineData("pods", "pods", "status", false)]
    [InlineData("pods/status", "pods", "status", true)]
    [InlineData("pods/*", "pods", "ephemeralcontainers", true)]
    [InlineData("pods/*", "pods", "", true)] // the API server's matcher: sub "*" also matches no subresource
    [InlineData("*", "pods", "", true)]
    [InlineData("*", "pods", "status", false)]
    [InlineData("*/*", "pods", "status", true)]
    [InlineData("*/*", "deployments", "", true)]
    [InlineData("*/status", "pods", "status", true)]
    [InlineData("*/status", "pods", "exec", false)]
    [InlineData("pods/ephemeralcontainers", "pods", "ephemeralcontainers", true)]
    [InlineData("services", "pods", "", false)]
    public void Matches_Resources_FollowApiServerSemantics(string ruleResources, string resource, string sub, bool expected) =>
        Assert.Equal(expected, RuleMatcher.Matches(Rule(ruleResources), Request("", "v1", resource, sub)));

    [Theory]
    [InlineData("CREATE", "CREATE", true)]
    [InlineData("CREATE,UPDATE", "UPDATE", true)]
    [InlineData("CREATE", "DELETE", false)]
    [InlineData("*", "CONNECT", true)]
    public void Matches_Operations(string ruleOps, string op, bool expected) =>
        Assert.Equal(expected, RuleMatcher.Matches(Rule("pods", ruleOps), Request("", "v1", "pods", op: op)));

    [Theory]
    [InlineData("", "v1", "apps", "v1", false)]
    [InlineData("apps", "v1", "apps", "v1", true)]
    [InlineData("*", "*", "batch", "v1", true)]
    [InlineData("apps", "v1beta1", "apps", "v1", false)]
    public void Matches_GroupsAndVersions(string groups, string versions, string group, string version, bool expected) =>
        Assert.Equal(expected, RuleMatcher.Matches(Rule("*", groups: groups, versions: versions), Request(group, version, "deployments")));

    [Theory]
    [InlineData("Cluster", null, "nodes", true)]
    [InlineData("Cluster", "default", "pods", false)]
    [InlineData("Namespaced", "default", "pods", true)]
    [InlineData("Namespaced", null, "nodes", false)]
    [InlineData("Cluster", "team-a", "namespaces", true)]
    public void Matches_Scope(string scope, string? ns, string resource, bool expected) =>
        Assert.Equal(expected, RuleMatcher.Matches(Rule("*", scope: scope), Request("", "v1", resource, ns: ns)));
}
