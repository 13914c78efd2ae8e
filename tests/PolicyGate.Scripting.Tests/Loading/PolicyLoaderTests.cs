using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Serialization;
using PolicyGate.Scripting.Loading;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Loading;

public sealed class PolicyLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policygate-loader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Policy(string name, string specBody) => $$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: {{name}}
        spec:
          rules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            resources: ["pods"]
            operations: ["CREATE"]
        {{specBody}}
        """;

    [Fact]
    public void LoadText_UnknownBuiltin_ListsTheBuiltins()
    {
        var result = TestPolicies.Load(Policy("p", "  module: builtin://no-such-policy"));

        var error = Assert.Single(result.Errors);
        Assert.Equal("p", error.Policy);
        Assert.Contains("unknown built-in module \"no-such-policy\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("run-as-non-root", error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Policies);
    }

    [Fact]
    public void LoadText_InlineCompileError_NamesPolicyAndLine()
    {
        var result = TestPolicies.Load(Policy("broken", "  script: |\n    var a = 1;\n    return Allow()\n"), "policies/broken.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("broken", error.Policy);
        Assert.Equal("policies/broken.yaml#1", error.Source);
        Assert.Contains("inline script of broken", error.Message, StringComparison.Ordinal);
        Assert.Contains("(2,", error.Message, StringComparison.Ordinal);
        Assert.Contains("CS1002", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_UnknownSetting_NamesItAndTheKnownOnes()
    {
        var result = TestPolicies.Load(Policy("p", "  module: builtin://allowed-sizes\n  settings:\n    allowedSize: [small]"));

        var error = Assert.Single(result.Errors);
        Assert.Contains("setting 'allowedSize' is unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowedSizes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_MistypedSetting_NamesTheSetting()
    {
        var result = TestPolicies.Load(Policy("p", "  module: builtin://run-as-non-root\n  settings:\n    denyRunAsUserZero: maybe"));

        var error = Assert.Single(result.Errors);
        Assert.Contains("setting 'denyRunAsUserZero'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_BrokenDocument_OtherPoliciesStillLoad()
    {
        var text = Policy("good", "  module: builtin://run-as-non-root") + "\n---\nkind: [unclosed\n---\n" + Policy("also-good", "  script: return Allow();");

        var result = TestPolicies.Load(text, "mixed.yaml");

        Assert.Equal(["good", "also-good"], result.Policies.Select(p => p.Name));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("mixed.yaml#2", error.Source, StringComparison.Ordinal);
        Assert.Contains("line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_FlowMappingLeftOpen_ErrorNamesTheLineAndTheNextPolicyLoads()
    {
        var text = "metadata: {name: broken, namespace: shop\nspec: [this is: not: valid\n---\n" + Policy("good", "  module: builtin://run-as-non-root");

        var result = TestPolicies.Load(text, "policies/broken.yaml");

        Assert.Equal(["good"], result.Policies.Select(p => p.Name));
        var error = Assert.Single(result.Errors);
        Assert.Equal("policies/broken.yaml#1", error.Source);
        Assert.StartsWith("line 2, column 1: invalid YAML", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> ThrowingSettings() => new()
    {
        {
            "public sealed class Settings { public int Max { get => 1; set => throw new NotImplementedException(\"max is fixed\"); } }",
            "settings rejected by the script's Settings type: NotImplementedException: max is fixed"
        },
        {
            "public sealed class Settings { public int Max { get; set; } public IEnumerable<string> Validate() { yield return \"first\"; throw new KeyNotFoundException(\"lost\"); } }",
            "settings validation failed: KeyNotFoundException: lost"
        },
        {
            "public sealed class Settings { public int Max { get; set; } public IEnumerable<string> Validate() { if (Max > 0) throw new NotSupportedException(\"eager\"); yield break; } }",
            "settings validation failed: NotSupportedException: eager"
        },
        {
            "public sealed class Settings { public int Max { get; set; } public int max { get; set; } }",
            "settings rejected by the script's Settings type: InvalidOperationException:"
        },
    };

    [Theory]
    [MemberData(nameof(ThrowingSettings))]
    public void LoadText_SettingsCodeThrows_PolicyRejectedWithTheReasonAndOthersLoad(string settingsType, string expected)
    {
        var script = $"  settings:\n    max: 3\n  script: |\n    {settingsType}\n    return GetSettings<Settings>().Max > 0 ? Allow() : Deny(\"no\");";
        var text = Policy("throwing", script) + "\n---\n" + Policy("good", "  module: builtin://run-as-non-root");

        var result = TestPolicies.Load(text, "settings.yaml");

        Assert.Equal(["good"], result.Policies.Select(p => p.Name));
        Assert.All(result.Errors, e => Assert.Equal("throwing", e.Policy));
        Assert.Contains(result.Errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadText_ValidateYieldsWithoutEnd_FirstProblemsReportedAndCut()
    {
        var script = "  settings:\n    max: 3\n  script: |\n    public sealed class Settings { public int Max { get; set; } public IEnumerable<string> Validate() { var i = 0; while (true) yield return $\"problem {i++}\"; } }\n    return Allow();";

        var result = TestPolicies.Load(Policy("chatty", script));

        var errors = result.Errors.Select(e => e.Message).ToList();
        Assert.Equal(51, errors.Count);
        Assert.Equal("spec.settings: problem 0", errors[0]);
        Assert.Contains("more than 50 problems", errors[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_DuplicateNames_SecondIsRejected()
    {
        var result = TestPolicies.Load(Policy("same", "  script: return Allow();") + "\n---\n" + Policy("same", "  script: return Deny(\"x\");"));

        Assert.Single(result.Policies);
        Assert.Contains("already defined", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFiles_FileModule_ResolvesRelativeToThePolicyFile()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "scripts"));
        File.WriteAllText(Path.Combine(_dir, "scripts", "deny-all.csx"), "return Deny(\"from file\");");
        var policyPath = Path.Combine(_dir, "policy.yaml");
        File.WriteAllText(policyPath, Policy("from-file", "  module: file://scripts/deny-all.csx"));

        var result = new PolicyLoader(TestPolicies.Compiler).LoadFiles([policyPath]);

        Assert.Empty(result.Errors);
        Assert.Equal("from-file", Assert.Single(result.Policies).Name);
    }

    [Fact]
    public void LoadFiles_MissingFileModule_SaysWhereItLooked()
    {
        var policyPath = Path.Combine(_dir, "policy.yaml");
        File.WriteAllText(policyPath, Policy("p", "  module: file://nope.csx"));

        var error = Assert.Single(new PolicyLoader(TestPolicies.Compiler).LoadFiles([policyPath]).Errors);

        Assert.Contains(Path.Combine(_dir, "nope.csx"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuiltinModules_EveryPolicyScriptIsEmbedded()
    {
        var scripts = Directory.GetFiles(RepoPaths.Policies, "*.csx").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(scripts, BuiltinModules.Names);
    }

    [Fact]
    public void LoadFiles_EveryBuiltinExamplePolicy_Loads()
    {
        var files = Directory.GetFiles(RepoPaths.Policies, "*.yaml").Where(PolicyLoader.IsPolicyFile);

        var result = new PolicyLoader(TestPolicies.Compiler).LoadFiles(files);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Equal(BuiltinModules.Names, result.Policies.Select(p => p.Spec.Module!["builtin://".Length..]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LoadFiles_SeedExample_LoadsBothPolicies()
    {
        var result = new PolicyLoader(TestPolicies.Compiler).LoadFiles([Path.Combine(RepoPaths.Policies, "examples", "seed-policies.yaml")]);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Equal(["validate-pod-security-standards", "sql-size-restriction"], result.Policies.Select(p => p.Name));
    }

    private static (JsonObject, string) ClusterObject(string name, string specBody) =>
        (YamlJson.ParseSingle(Policy(name, specBody), name)!.AsObject(), $"ClusterAdmissionPolicy/{name}");

    [Fact]
    public void LoadAll_FilesAndClusterObjects_OneSetWithAClashReportedUnderTheSecond()
    {
        var file = Path.Combine(_dir, "p.yaml");
        File.WriteAllText(file, Policy("shared", "  script: return Allow();"));

        var result = new PolicyLoader(TestPolicies.Compiler).LoadAll(
            [file],
            [ClusterObject("from-cluster", "  script: return Deny(\"no\");"), ClusterObject("shared", "  script: return Deny(\"clash\");")]);

        Assert.Equal(["shared", "from-cluster"], result.Policies.Select(p => p.Name));
        Assert.Equal($"{file}#1", result.Policies[0].Resource.Source);
        var clash = Assert.Single(result.Errors);
        Assert.Equal("ClusterAdmissionPolicy/shared", clash.Source);
        Assert.Contains("already defined", clash.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAll_ClusterObjectNamingAFile_RefusedWithoutReadingIt()
    {
        var result = new PolicyLoader(TestPolicies.Compiler).LoadAll(
            [], [ClusterObject("token-reader", "  module: file:///var/run/secrets/kubernetes.io/serviceaccount/token")]);

        Assert.Empty(result.Policies);
        var error = Assert.Single(result.Errors);
        Assert.Equal("ClusterAdmissionPolicy/token-reader", error.Source);
        Assert.Contains("a policy from the cluster cannot read the server's files", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigMapModule_WithoutACluster_SaysWhereItIsRead()
    {
        var file = Path.Combine(_dir, "p.yaml");
        File.WriteAllText(file, Policy("from-configmap", "  module: configmap://policy-scripts/team/policy.csx"));

        var error = Assert.Single(new PolicyLoader(TestPolicies.Compiler).LoadFiles([file]).Errors);

        Assert.Equal("spec.module: configmap://policy-scripts/team/policy.csx: a ConfigMap module is read from the cluster by policygate serve; here there is no cluster to read it from", error.Message);
    }

    [Fact]
    public void ConfigMapModule_CompileErrorsNameTheConfigMapKey()
    {
        var result = new PolicyLoader(TestPolicies.Compiler, configMaps: new OneConfigMap("var x = 1;\nreturn Nope();")).LoadAll(
            [], [ClusterObject("from-configmap", "  module: configmap://policy-scripts/team/policy.csx")]);

        var error = Assert.Single(result.Errors);
        Assert.Contains("configmap://policy-scripts/team/policy.csx(2,8)", error.Message, StringComparison.Ordinal);
        Assert.Contains("CS0103", error.Message, StringComparison.Ordinal);
    }

    private sealed class OneConfigMap(string script) : IConfigMapScripts
    {
        public string? Read(ConfigMapModule module, out string? error)
        {
            error = null;
            return script;
        }
    }
}
