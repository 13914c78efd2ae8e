using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Tests.Api;

public class PolicyResourceParserTests
{
    private static JsonObject Policy(string specJson, string kind = "ClusterAdmissionPolicy", string apiVersion = "policygate.io/v1", string metadata = """{"name":"p"}""") =>
        JsonNode.Parse($$"""{"apiVersion":"{{apiVersion}}","kind":"{{kind}}","metadata":{{metadata}},"spec":{{specJson}}}""")!.AsObject();

    private const string MinimalSpec = """{"module":"builtin://capabilities","rules":[{"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"],"operations":["CREATE"]}]}""";

    [Fact]
    public void Parse_MinimalPolicy_AppliesKubewardenDefaults()
    {
        var result = PolicyResourceParser.Parse(Policy(MinimalSpec), "p.yaml#1");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var spec = result.Policy!.Spec;
        Assert.Equal(PolicyMode.Protect, spec.Mode);
        Assert.Equal(FailurePolicy.Fail, spec.FailurePolicy);
        Assert.Equal(10, spec.TimeoutSeconds);
        Assert.False(spec.Mutating);
        Assert.True(spec.NamespaceSelector.IsEmpty);
        Assert.Equal("*", spec.Rules[0].Scope);
    }

    [Fact]
    public void Parse_AdmissionPolicyWithoutNamespace_DefaultsToDefaultNamespace()
    {
        var result = PolicyResourceParser.Parse(Policy(MinimalSpec, kind: "AdmissionPolicy"), "p.yaml#1");

        Assert.Equal("default", result.Policy!.Namespace);
        Assert.Equal("default/p", result.Policy.DisplayName);
    }

    [Fact]
    public void Parse_KubewardenApiVersionAndRegistryModule_ExplainsBoth()
    {
        var spec = MinimalSpec.Replace("builtin://capabilities", "registry://ghcr.io/kubewarden/policies/x:v1", StringComparison.Ordinal);
        var result = PolicyResourceParser.Parse(Policy(spec, apiVersion: "policies.kubewarden.io/v1"), "p.yaml#1");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.StartsWith("apiVersion:", StringComparison.Ordinal) && e.Contains("policygate.io/v1", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("spec.module:", StringComparison.Ordinal) && e.Contains("builtin://", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("configmap://policy-scripts/team/policy.csx", null)]
    [InlineData("configmap://policy-scripts/team", "must be configmap://NAMESPACE/NAME/KEY")]
    [InlineData("configmap://Policy/team/policy.csx", "\"Policy\" is not a namespace name")]
    [InlineData("configmap://policy-scripts/team_x/policy.csx", "\"team_x\" is not a ConfigMap name")]
    [InlineData("configmap://policy-scripts/team/po licy", "\"po licy\" is not a ConfigMap key")]
    public void Parse_ConfigMapModule_NamespaceNameAndKeyChecked(string module, string? error)
    {
        var spec = MinimalSpec.Replace("builtin://capabilities", module, StringComparison.Ordinal);
        var result = PolicyResourceParser.Parse(Policy(spec), "p.yaml#1");

        if (error is null)
        {
            Assert.True(result.Succeeded, string.Join("\n", result.Errors));
            Assert.Equal(module, result.Policy!.Spec.Module);
        }
        else
        {
            Assert.Contains(result.Errors, e => e.StartsWith("spec.module:", StringComparison.Ordinal) && e.Contains(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Parse_AdmissionPolicyConfigMapModule_OnlyFromItsOwnNamespace()
    {
        var own = MinimalSpec.Replace("builtin://capabilities", "configmap://shop/scripts/p.csx", StringComparison.Ordinal);
        var other = MinimalSpec.Replace("builtin://capabilities", "configmap://kube-system/scripts/p.csx", StringComparison.Ordinal);
        const string metadata = """{"name":"p","namespace":"shop"}""";

        Assert.True(PolicyResourceParser.Parse(Policy(own, kind: "AdmissionPolicy", metadata: metadata), "p.yaml#1").Succeeded);
        var refused = PolicyResourceParser.Parse(Policy(other, kind: "AdmissionPolicy", metadata: metadata), "p.yaml#1");
        Assert.Contains("spec.module: \"configmap://kube-system/scripts/p.csx\": an AdmissionPolicy reads ConfigMaps of its own namespace (shop) only", refused.Errors);
    }

    [Fact]
    public void Parse_ManyMistakes_ReportsEveryOneWithItsFieldPath()
    {
        const string spec = """
            {"script":"return Allow();","mode":"enforce","failurePolicy":"fail","timeoutSeconds":60,"mutating":"yes",
             "rules":[{"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/a/b"],"operations":["CREATE","PATCH"]}],
             "namespaceSelector":{"matchExpressions":[{"key":"env","operator":"Equals","values":["x"]}]},
             "objectSelector":{"matchLabels":{"tier":3}},
             "setting":{}}
            """;
        var result = PolicyResourceParser.Parse(Policy(spec), "p.yaml#1");

        Assert.False(result.Succeeded);
        var expected = new[]
        {
            "spec.setting: unknown field", "spec.mode:", "spec.failurePolicy:", "spec.timeoutSeconds:", "spec.mutating:",
            "spec.rules[0].operations[1]:", "spec.rules[0].resources[0]:",
            "spec.namespaceSelector.matchExpressions[0].operator:", "spec.objectSelector.matchLabels.tier:",
        };
        foreach (var prefix in expected)
        {
            Assert.Contains(result.Errors, e => e.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    /// <summary>A minimal policy read from YAML (numbers become long values there), with one more spec line.</summary>
    private static JsonObject YamlPolicy(string specLine) => YamlJson.ParseDocuments($$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata: {name: p}
        spec:
          script: return Allow();
          rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
          {{specLine}}
        """).Single().Node!.AsObject();

    [Theory]
    [InlineData("timeoutSeconds: 5", 5)]
    [InlineData("timeoutSeconds: 30", 30)]
    public void Parse_TimeoutSecondsFromYaml_IsRead(string line, int expected)
    {
        var result = PolicyResourceParser.Parse(YamlPolicy(line), "p.yaml#1");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Policy!.Spec.TimeoutSeconds);
    }

    [Theory]
    [InlineData("timeoutSeconds: 0")]
    [InlineData("timeoutSeconds: 31")]
    [InlineData("timeoutSeconds: 5.5")]
    [InlineData("timeoutSeconds: 99999999999")]
    public void Parse_TimeoutSecondsOutOfRangeFromYaml_IsRejected(string line)
    {
        var result = PolicyResourceParser.Parse(YamlPolicy(line), "p.yaml#1");

        Assert.Contains(result.Errors, e => e.StartsWith("spec.timeoutSeconds:", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ModuleAndScriptTogether_IsRejected()
    {
        var spec = MinimalSpec.Replace("\"module\"", "\"script\":\"return Allow();\",\"module\"", StringComparison.Ordinal);

        var result = PolicyResourceParser.Parse(Policy(spec), "p.yaml#1");

        Assert.Contains(result.Errors, e => e.Contains("exclusive", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ClusterPolicyWithNamespace_IsRejected()
    {
        var result = PolicyResourceParser.Parse(Policy(MinimalSpec, metadata: """{"name":"p","namespace":"team-a"}"""), "p.yaml#1");

        Assert.Contains(result.Errors, e => e.StartsWith("metadata.namespace:", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MissingRulesAndModule_NamesBoth()
    {
        var result = PolicyResourceParser.Parse(Policy("{}"), "p.yaml#1");

        Assert.Contains(result.Errors, e => e.StartsWith("spec.rules:", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("spec: one of spec.module", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_FromYaml_NumbersAndBooleansAreRead()
    {
        const string yaml = """
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: p}
            spec:
              module: builtin://capabilities
              mutating: true
              timeoutSeconds: 3
              rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]}]
            """;
        var node = PolicyGate.Core.Serialization.YamlJson.ParseSingle(yaml, "p.yaml")!.AsObject();

        var result = PolicyResourceParser.Parse(node, "p.yaml#1");

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(3, result.Policy!.Spec.TimeoutSeconds);
        Assert.True(result.Policy.Spec.Mutating);
    }
}
