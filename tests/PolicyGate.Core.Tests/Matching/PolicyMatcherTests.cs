using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Matching;

namespace PolicyGate.Core.Tests.Matching;

public class PolicyMatcherTests
{
    private static readonly NamespaceLabels Labels = ns => ns switch
    {
        "prod" => new Dictionary<string, string> { ["env"] = "prod", [PolicyMatcher.NamespaceNameLabel] = "prod" },
        _ => null,
    };

    private static PolicyResource Policy(LabelSelector? ns = null, LabelSelector? obj = null, PolicyKind kind = PolicyKind.ClusterAdmissionPolicy, string? policyNamespace = null) =>
        new(kind, "p", policyNamespace, new PolicySpec
        {
            Module = "builtin://x",
            Rules = [new RuleWithOperations(["*"], ["*"], ["*"], ["*"])],
            NamespaceSelector = ns ?? LabelSelector.Everything,
            ObjectSelector = obj ?? LabelSelector.Everything,
        }, "test");

    private static AdmissionRequest Request(string? ns, string resource = "pods", string? objectJson = """{"metadata":{"labels":{"app":"web"}}}""", string op = "CREATE") => new()
    {
        Uid = "u",
        Operation = op,
        Namespace = ns,
        Resource = new GroupVersionResource { Version = "v1", Resource = resource },
        Object = objectJson is null ? null : JsonDocument.Parse(objectJson).RootElement,
    };

    private static LabelSelector MatchLabels(string key, string value) => new(new Dictionary<string, string> { [key] = value }, []);

    private static LabelSelector Expression(string key, string op, params string[] values) => new(new Dictionary<string, string>(), [new LabelSelectorRequirement(key, op, values)]);

    [Fact]
    public void Matches_NamespaceSelector_UsesNamespaceLabels()
    {
        var policy = Policy(ns: MatchLabels("env", "prod"));

        Assert.True(PolicyMatcher.Matches(policy, Request("prod"), Labels));
        Assert.False(PolicyMatcher.Matches(policy, Request("dev"), Labels));
    }

    [Fact]
    public void Matches_UnknownNamespace_HasOnlyItsNameLabel()
    {
        var policy = Policy(ns: Expression(PolicyMatcher.NamespaceNameLabel, LabelSelectorRequirement.NotIn, "kube-system"));

        Assert.True(PolicyMatcher.Matches(policy, Request("dev"), Labels));
        Assert.False(PolicyMatcher.Matches(policy, Request("kube-system"), Labels));
    }

    [Fact]
    public void Matches_ClusterScopedObject_NamespaceSelectorNeverExcludes() =>
        Assert.True(PolicyMatcher.Matches(Policy(ns: MatchLabels("env", "prod")), Request(null, "nodes"), Labels));

    [Fact]
    public void Matches_NamespaceObject_SelectorUsesItsOwnLabels()
    {
        var policy = Policy(ns: MatchLabels("env", "prod"));

        Assert.True(PolicyMatcher.Matches(policy, Request("x", "namespaces", """{"metadata":{"labels":{"env":"prod"}}}"""), Labels));
        Assert.False(PolicyMatcher.Matches(policy, Request("x", "namespaces", """{"metadata":{"labels":{"env":"dev"}}}"""), Labels));
    }

    [Theory]
    [InlineData("In", "web", true)]
    [InlineData("In", "db", false)]
    [InlineData("NotIn", "db", true)]
    [InlineData("NotIn", "web", false)]
    [InlineData("Exists", null, true)]
    [InlineData("DoesNotExist", null, false)]
    public void Matches_ObjectSelectorExpressions(string op, string? value, bool expected)
    {
        var policy = Policy(obj: Expression("app", op, value is null ? [] : [value]));

        Assert.Equal(expected, PolicyMatcher.Matches(policy, Request("dev"), Labels));
    }

    [Fact]
    public void Matches_ObjectSelectorOnDelete_UsesOldObject()
    {
        var request = Request("dev", objectJson: null, op: "DELETE");
        request = request with { OldObject = JsonDocument.Parse("""{"metadata":{"labels":{"app":"web"}}}""").RootElement };

        Assert.True(PolicyMatcher.Matches(Policy(obj: MatchLabels("app", "web")), request, Labels));
        Assert.False(PolicyMatcher.Matches(Policy(obj: MatchLabels("app", "db")), request, Labels));
    }

    [Fact]
    public void Matches_ObjectSelectorWithNoObjectAtAll_DoesNotMatch() =>
        Assert.False(PolicyMatcher.Matches(Policy(obj: Expression("app", LabelSelectorRequirement.DoesNotExist)), Request("dev", objectJson: null, op: "CONNECT"), Labels));

    [Fact]
    public void Matches_AdmissionPolicy_OnlyItsOwnNamespace()
    {
        var policy = Policy(kind: PolicyKind.AdmissionPolicy, policyNamespace: "team-a");

        Assert.True(PolicyMatcher.Matches(policy, Request("team-a"), Labels));
        Assert.False(PolicyMatcher.Matches(policy, Request("team-b"), Labels));
        Assert.False(PolicyMatcher.Matches(policy, Request(null, "nodes"), Labels));
    }
}
