using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Runtime;

public class ScriptProgramTests
{
    private static readonly JsonObject Pod = Workloads.Wrap("Pod", """{"containers":[{"name":"app","image":"nginx"}]}""", """{"app":"web"}""");

    private static CompiledPolicy Inline(string script, bool mutating = false, string extra = "") => TestPolicies.Single($$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: inline
        spec:
          mutating: {{(mutating ? "true" : "false")}}
          rules:
          - apiGroups: ["*"]
            apiVersions: ["*"]
            resources: ["*"]
            operations: ["*"]
        {{extra}}
          script: |
        {{string.Join("\n", script.Split('\n').Select(l => "    " + l))}}
        """);

    [Fact]
    public void Run_ScriptThrows_FailsWithExceptionAndScriptLine()
    {
        var policy = Inline("var labels = Metadata!.Labels!;\nstring? missing = null;\nreturn missing!.Length > 0 ? Allow() : Deny(\"x\");");

        var decision = TestPolicies.Decide(policy, Pod);

        Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
        Assert.False(decision.Allowed);
        Assert.Contains("NullReferenceException at line 3", decision.Message, StringComparison.Ordinal);
        Assert.StartsWith("policy inline failed:", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ScriptThrowsUnderIgnore_AllowsWithWarning()
    {
        var policy = Inline("throw new InvalidOperationException(\"boom\");", extra: "  failurePolicy: Ignore");

        var decision = TestPolicies.Decide(policy, Pod);

        Assert.True(decision.Allowed);
        Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
        Assert.Contains(decision.Warnings, w => w.Contains("boom", StringComparison.Ordinal) && w.Contains("failurePolicy: Ignore", StringComparison.Ordinal));
    }

    [Fact]
    public void Run_DenyResultDropped_StillDenies()
    {
        var decision = TestPolicies.Decide(Inline("Deny(\"first\");\nDeny(\"second\");"), Pod);

        Assert.False(decision.Allowed);
        Assert.Equal("first; second", decision.Message);
    }

    [Fact]
    public void Run_NoReturn_Allows() =>
        Assert.True(TestPolicies.Decide(Inline("Warn(\"looked\");"), Pod).Allowed);

    [Fact]
    public void Run_WarningsAndAuditAnnotations_AreReturned()
    {
        var decision = TestPolicies.Decide(Inline("Warn(\"careful\");\nAuditAnnotation(\"checked\", \"yes\");\nreturn Allow();"), Pod);

        Assert.Equal(["careful"], decision.Warnings);
        Assert.Equal("yes", decision.AuditAnnotations!["checked"]);
    }

    [Fact]
    public void Run_MessageField_ReplacesDenialAndKeepsDetail()
    {
        var decision = TestPolicies.Decide(Inline("return Deny(\"technical reason\");", extra: "  message: Ask the platform team"), Pod);

        Assert.Equal("Ask the platform team", decision.Message);
        Assert.Equal("technical reason", decision.Detail);
    }

    [Fact]
    public void Run_MutationFromNonMutatingPolicy_IsAFailure()
    {
        var decision = TestPolicies.Decide(Inline("var o = Object!;\no[\"metadata\"]![\"labels\"]![\"x\"] = \"y\";\nreturn Mutate(o);"), Pod);

        Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
        Assert.Contains("spec.mutating: false", decision.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_JsonMutation_ProducesExactPatch()
    {
        var decision = TestPolicies.Decide(Inline("var o = Object!;\no[\"metadata\"]![\"labels\"]![\"app.kubernetes.io/managed-by\"] = \"policygate\";\nreturn Mutate(o);", mutating: true), Pod);

        Assert.Equal(DecisionOutcome.Mutated, decision.Outcome);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1managed-by","value":"policygate"}]"""),
            decision.Patch),
            decision.Patch?.ToJsonString());
    }

    [Fact]
    public void Run_TypedMutationThatChangesNothing_HasNoPatch()
    {
        var decision = TestPolicies.Decide(Inline("return Mutate(PodSpec()!);", mutating: true), Pod);

        Assert.Equal(DecisionOutcome.Allowed, decision.Outcome);
        Assert.Null(decision.Patch);
    }

    [Fact]
    public void Run_JsonChangedByOnePolicy_IsNotSeenByTheNext()
    {
        var vandal = Inline("Object![\"metadata\"]![\"labels\"]![\"app\"] = \"changed\";\nreturn Allow();");
        var reader = Inline("return Metadata!.Labels![\"app\"] == \"web\" && (string?)Object![\"metadata\"]![\"labels\"]![\"app\"] == \"web\" ? Allow() : Deny(\"saw a change\");");

        var decisions = TestPolicies.Evaluate([vandal, reader], Pod);

        Assert.All(decisions, d => Assert.True(d.Allowed, d.Message));
    }

    [Theory]
    [InlineData("ObjectAs<V1Pod>()!.Metadata!.Labels![\"app\"] = \"changed\";")]
    [InlineData("Metadata!.Labels!.Remove(\"app\");")]
    [InlineData("PodSpec()!.Containers![0].Image = \"evil\";")]
    [InlineData("PodSpec()!.Containers!.Clear();")]
    public void Run_SharedModelsAreReadOnly_WriteFailsAndNextPolicySeesTheOriginal(string write)
    {
        var vandal = Inline(write + "\nreturn Allow();");
        var reader = Inline("return Metadata!.Labels![\"app\"] == \"web\" && PodSpec()!.Containers!.Count == 1 && PodSpec()!.Containers![0].Image == \"nginx\" ? Allow() : Deny(\"saw a change\");");

        var decisions = TestPolicies.Evaluate([vandal, reader], Pod);

        Assert.Equal(DecisionOutcome.Failed, decisions[0].Outcome);
        Assert.Contains("read-only", decisions[0].Message, StringComparison.Ordinal);
        Assert.Contains("Copy(", decisions[0].Message, StringComparison.Ordinal);
        Assert.True(decisions[1].Allowed, decisions[1].Message);
    }

    [Fact]
    public void Run_CopyOfSharedModel_CanBeChangedAndMutated()
    {
        var policy = Inline("var spec = Copy(PodSpec())!;\nspec.Containers![0].Image = \"nginx:1.27\";\nreturn Mutate(spec);", mutating: true);

        var decision = TestPolicies.Decide(policy, Pod);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]"""), decision.Patch), decision.Patch?.ToJsonString());
    }

    [Fact]
    public void Run_SettingsBoundToDeclaredType()
    {
        var policy = Inline("public sealed class Settings { public int Max { get; set; } }\nreturn GetSettings<Settings>().Max == 3 ? Allow() : Deny(\"wrong\");", extra: "  settings:\n    max: 3");

        Assert.True(TestPolicies.Decide(policy, Pod).Allowed);
    }

    [Fact]
    public void Run_SettingsChangedByOneRequest_TheNextGetsItsOwn()
    {
        // Issue 11: GetSettings<T>() returned one shared, writable instance, so one request's data (another user's pod
        // name) showed up in the next request's denial.
        var policy = Inline(
            "public sealed class Settings { public List<string> Seen { get; set; } = []; }\n" +
            "var settings = GetSettings<Settings>();\nsettings.Seen.Add(Name!);\nreturn Deny(string.Join(\",\", settings.Seen));",
            extra: "  settings:\n    seen: [configured]");

        var first = TestPolicies.Decide(policy, Named("first-user-pod"));
        var second = TestPolicies.Decide(policy, Named("second-user-pod"));

        Assert.Equal("configured,first-user-pod", first.Message);
        Assert.Equal("configured,second-user-pod", second.Message);
    }

    [Fact]
    public void Run_NestedSettingsChangedByOneRequest_TheNextGetsItsOwn()
    {
        // Settings are copied from a template per evaluation: nested objects, dictionaries and arrays are copies too.
        var policy = Inline(
            "public sealed class Inner { public List<string> Seen { get; set; } = []; }\n" +
            "public sealed class Settings { public Inner Inner { get; set; } = new(); public Dictionary<string, List<string>> ByKey { get; set; } = []; public string[] Slots { get; set; } = []; }\n" +
            "var s = GetSettings<Settings>();\n" +
            "var seen = string.Join(\",\", s.Inner.Seen) + \"|\" + string.Join(\",\", s.ByKey[\"k\"]) + \"|\" + s.Slots[0];\n" +
            "s.Inner.Seen.Add(Name!); s.ByKey[\"k\"].Add(Name!); s.Slots[0] = Name!; s.ByKey[\"new\"] = [Name!];\n" +
            "return Deny(seen + \"|\" + s.ByKey.Count);",
            extra: "  settings:\n    inner:\n      seen: [configured]\n    byKey:\n      k: [configured]\n    slots: [configured]");

        var first = TestPolicies.Decide(policy, Named("first-user-pod"));
        var second = TestPolicies.Decide(policy, Named("second-user-pod"));

        Assert.Equal("configured|configured|configured|2", first.Message);
        Assert.Equal("configured|configured|configured|2", second.Message);
    }

    [Theory]
    [InlineData("public sealed class Settings { private string _name = \"\"; public string Name { get => _name; set => _name = value + \"!\"; } }", "a!")]
    [InlineData("public sealed class Settings { [System.Text.Json.Serialization.JsonObjectCreationHandling(System.Text.Json.Serialization.JsonObjectCreationHandling.Populate)] public List<string> Name { get; } = [\"ctor\"]; }", "ctor,a")]
    public void Run_SettingsACopyWouldGetWrong_StillBoundAsDeserialized(string settingsType, string expected)
    {
        // A setter that changes what it is given, a collection the serializer fills in place: a copy would differ from a
        // fresh deserialization, so these settings are deserialized per evaluation instead.
        var read = settingsType.Contains("List<string>", StringComparison.Ordinal) ? "string.Join(\",\", s.Name)" : "s.Name";
        var policy = Inline($"{settingsType}\nvar s = GetSettings<Settings>();\nreturn Deny({read});", extra: settingsType.Contains("List<string>", StringComparison.Ordinal) ? "  settings:\n    name: [a]" : "  settings:\n    name: a");

        Assert.Equal(expected, TestPolicies.Decide(policy, Pod).Message);
        Assert.Equal(expected, TestPolicies.Decide(policy, Pod).Message);
    }

    [Fact]
    public void Run_SettingsJsonChangedByOneRequest_TheNextGetsItsOwn()
    {
        var policy = Inline(
            "SettingsJson[\"seen\"] = (string?)SettingsJson[\"seen\"] + \"+\" + Name;\nreturn Deny((string)SettingsJson[\"seen\"]!);",
            extra: "  settings:\n    seen: configured");

        TestPolicies.Decide(policy, Named("first-user-pod"));
        var second = TestPolicies.Decide(policy, Named("second-user-pod"));

        Assert.Equal("configured+second-user-pod", second.Message);
        Assert.Equal("configured", policy.Spec.Settings!["seen"]!.GetValue<string>());
    }

    private static JsonObject Named(string name)
    {
        var pod = Pod.DeepClone().AsObject();
        pod["metadata"]!["name"] = name;
        return pod;
    }

    [Fact]
    public void Load_LargeSetting_OnlyWhatTheScriptKeepsCountsAgainstItsMemory()
    {
        // Found by the fuzz suite (serve-folder surface, a 5-million-character key in labelPatterns): the settings
        // were written out as JSON text inside the script's budget, with buffers from a shared pool, so the same policy
        // was refused ("allocated more than 64 MiB") or loaded depending on what the process had done before. A
        // 16-million-character name is 32 MiB as a string; writing it out takes about as much again from a cold pool.
        var name = new string('a', 16 * 1024 * 1024);

        var policy = TestPolicies.Builtin("required-labels", $"{{requiredLabels: [{name}]}}");

        Assert.Equal("required-labels", policy.Name);
    }

    [Fact]
    public void Run_ScriptCatchesNothingItShouldNot_RequestFieldsAreVisible()
    {
        var policy = Inline("return Operation == \"UPDATE\" && Kind == \"Pod\" && Namespace == \"team-a\" && OldObject is not null && UserInfo.Username == \"policygate-dry-run\" ? Allow() : Deny($\"{Operation} {Kind} {Namespace}\");");

        Assert.True(TestPolicies.Decide(policy, Pod, "UPDATE").Allowed);
    }
}
