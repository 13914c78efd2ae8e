using System.Text.Json.Nodes;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class RequiredLabelsTests
{
    private const string Module = "required-labels";

    private const string Settings = """
        {requiredLabels: [app.kubernetes.io/name, team], requiredAnnotations: [policygate.io/owner], labelPatterns: {team: "^[a-z][a-z0-9-]{1,30}$", app.kubernetes.io/version: "^v?\\d+\\.\\d+\\.\\d+$"}, annotationPatterns: {policygate.io/owner: "^[^@\\s]+@[^@\\s]+$"}}
        """;

    private const string Spec = """{"containers": [{"name": "app", "image": "app:1"}]}""";

    private const string GoodLabels = """{"app.kubernetes.io/name": "web", "team": "shop", "app.kubernetes.io/version": "v1.4.2"}""";

    private const string GoodAnnotations = """{"policygate.io/owner": "shop@example.com"}""";

    public static TheoryData<string> AllKinds() => Workloads.AllKinds();

    private static JsonObject Object(string kind, string? labels, string? annotations)
    {
        var manifest = Workloads.Wrap(kind, Spec, labels);
        return annotations is null ? manifest : BuiltinAssert.WithAnnotations(manifest, annotations);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_EverythingPresentAndMatching_Allowed(string kind)
    {
        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object(kind, GoodLabels, GoodAnnotations)));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MissingLabel_DeniedNamingIt(string kind)
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object(kind, """{"app.kubernetes.io/name": "web"}""", GoodAnnotations));

        Assert.Equal("missing required labels: team", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_MissingAnnotation_DeniedNamingIt(string kind)
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object(kind, GoodLabels, null));

        Assert.Equal("missing required annotations: policygate.io/owner", BuiltinAssert.Denied(decision));
    }

    [Fact]
    public void Decide_LabelsOnlyOnPodTemplate_DeniedBecauseTheObjectsOwnLabelsCount()
    {
        // Workloads.Wrap labels the pod template app=x; the Deployment itself carries no labels.
        var policy = TestPolicies.Builtin(Module, "{requiredLabels: [app]}");

        Assert.Equal("missing required labels: app", BuiltinAssert.Denied(TestPolicies.Decide(policy, Workloads.Wrap("Deployment", Spec))));
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_LabelValueMismatchesPattern_DeniedShowingValueAndPattern(string kind)
    {
        var labels = """{"app.kubernetes.io/name": "web", "team": "Shop_Team"}""";

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object(kind, labels, GoodAnnotations));

        Assert.Equal("label team=\"Shop_Team\" does not match ^[a-z][a-z0-9-]{1,30}$", BuiltinAssert.Denied(decision));
    }

    [Theory]
    [InlineData("1.4.2", true)]
    [InlineData("v10.0.1", true)]
    [InlineData("latest", false)]
    [InlineData("1.4", false)]
    [InlineData("1.4.2-rc1", false)] // the pattern is anchored at both ends
    public void Decide_OptionalLabelWithPattern_CheckedWhenPresent(string version, bool allowed)
    {
        var labels = new JsonObject { ["app.kubernetes.io/name"] = "web", ["team"] = "shop", ["app.kubernetes.io/version"] = version };

        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object("Pod", labels.ToJsonString(), GoodAnnotations));

        if (allowed)
        {
            BuiltinAssert.Allowed(decision);
        }
        else
        {
            Assert.Equal($"label app.kubernetes.io/version=\"{version}\" does not match ^v?\\d+\\.\\d+\\.\\d+$", BuiltinAssert.Denied(decision));
        }
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Decide_PatternForAbsentLabel_NotADenial(string kind)
    {
        var labels = """{"app.kubernetes.io/name": "web", "team": "shop"}""";

        BuiltinAssert.Allowed(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object(kind, labels, GoodAnnotations)));
    }

    [Fact]
    public void Decide_AnnotationValueMismatchesPattern_Denied()
    {
        var decision = TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object("Pod", GoodLabels, """{"policygate.io/owner": "team shop"}"""));

        Assert.Equal("annotation policygate.io/owner=\"team shop\" does not match ^[^@\\s]+@[^@\\s]+$", BuiltinAssert.Denied(decision));
    }

    [Fact]
    public void Decide_EmptyLabelValue_CheckedAgainstPattern()
    {
        var labels = """{"app.kubernetes.io/name": "web", "team": ""}""";

        BuiltinAssert.DeniedWith(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object("Pod", labels, GoodAnnotations)), "label team=\"\" does not match");
    }

    [Fact]
    public void Decide_EveryProblem_ListedInOneDenial()
    {
        var labels = """{"team": "A", "app.kubernetes.io/version": "latest"}""";

        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Object("Pod", labels, """{"policygate.io/owner": "nobody"}""")));

        Assert.Equal(
            "missing required labels: app.kubernetes.io/name; "
            + "label team=\"A\" does not match ^[a-z][a-z0-9-]{1,30}$; "
            + "label app.kubernetes.io/version=\"latest\" does not match ^v?\\d+\\.\\d+\\.\\d+$; "
            + "annotation policygate.io/owner=\"nobody\" does not match ^[^@\\s]+@[^@\\s]+$",
            message);
    }

    [Fact]
    public void Decide_NoLabelsOrAnnotationsAtAll_DeniedListingAll()
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), Workloads.Wrap("Pod", Spec)));

        Assert.Equal("missing required labels: app.kubernetes.io/name, team; missing required annotations: policygate.io/owner", message);
    }

    [Fact]
    public void Decide_NonPodObject_Checked()
    {
        var configMap = JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop", "labels": {"team": "shop"}}, "data": {}}
            """)!.AsObject();

        BuiltinAssert.DeniedWith(TestPolicies.Decide(TestPolicies.Builtin(Module, Settings), configMap), "missing required labels: app.kubernetes.io/name");
    }

    [Fact]
    public void Decide_MonitorMode_AllowedWithMessageAndWarning()
    {
        var policy = TestPolicies.Builtin(Module, Settings, mode: "monitor");

        var decision = TestPolicies.Decide(policy, Object("Deployment", """{"app.kubernetes.io/name": "web"}""", GoodAnnotations));

        BuiltinAssert.MonitoredDenial(decision, "missing required labels: team");
    }

    [Fact]
    public void Load_ExamplePolicyFile_Loads()
    {
        var path = Path.Combine(RepoPaths.Policies, "required-labels.yaml");

        var policy = TestPolicies.Single(File.ReadAllText(path), path);

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Object("Deployment", GoodLabels, GoodAnnotations)));
    }

    [Theory]
    [InlineData("{labelPatterns: {team: '['}}", "setting 'labelPatterns.team': invalid regular expression \"[\"")]
    [InlineData("{annotationPatterns: {owner: '(a'}}", "setting 'annotationPatterns.owner': invalid regular expression \"(a\"")]
    public void Load_InvalidRegex_RejectedNamingSetting(string settings, string expected)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, settings);

        Assert.Contains(expected, errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{requiredLabels: null}", "setting 'requiredLabels' must be a list of names, not null (leave it out for none)")]
    [InlineData("{requiredAnnotations: }", "setting 'requiredAnnotations' must be a list of names, not null (leave it out for none)")]
    [InlineData("{requiredLabels: [team, null]}", "setting 'requiredLabels': names must not be empty")]
    [InlineData("{requiredAnnotations: [' ']}", "setting 'requiredAnnotations': names must not be empty")]
    [InlineData("{labelPatterns: null}", "setting 'labelPatterns' must be a map of name to regular expression, not null (leave it out for none)")]
    public void Load_NullOrEmptyNames_RejectedNamingSetting(string settings, string expected)
    {
        // Found by the fuzz suite (settings surface): these settings loaded, and then the policy failed with
        // ArgumentNullException on every object it judged.
        var errors = BuiltinAssert.RejectedSettings(Module, settings);

        Assert.Equal($"spec.settings: {expected}", errors);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requiredLable: [team]}");

        Assert.Contains("setting 'requiredLable' is unknown", errors, StringComparison.Ordinal);
        Assert.Contains("requiredLabels", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{requiredLabels: team}");

        Assert.Contains("setting 'requiredLabels'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PatternMapGivenAList_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{labelPatterns: ['^a$']}");

        Assert.Contains("setting 'labelPatterns'", errors, StringComparison.Ordinal);
    }
}
