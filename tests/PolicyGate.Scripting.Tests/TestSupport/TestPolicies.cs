using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Core.Matching;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Scripting.Tests.TestSupport;

/// <summary>Loads policies from YAML text and evaluates manifests with them, as dry-run does.</summary>
internal static class TestPolicies
{
    /// <summary>One in-memory compiler for the test run: compiled scripts are immutable, so sharing only saves time.</summary>
    public static PolicyCompiler Compiler { get; } = new();

    public static PolicyLoadResult Load(string yaml, string? file = null) =>
        new PolicyLoader(Compiler).LoadText(yaml, file ?? "test-policy.yaml", file);

    public static CompiledPolicy Single(string yaml, string? file = null)
    {
        var result = Load(yaml, file);
        Assert.True(result.Errors.Count == 0, "policy errors:\n" + string.Join("\n", result.Errors));
        return Assert.Single(result.Policies);
    }

    /// <summary>A ClusterAdmissionPolicy for a built-in module matching every pod controller (and PVCs, SQLClaims).</summary>
    public static CompiledPolicy Builtin(string module, string settingsYaml = "{}", bool mutating = false, string mode = "protect") =>
        Single(BuiltinYaml(module, settingsYaml, mutating, mode));

    /// <summary>The YAML of <see cref="Builtin"/>, for tests that expect it to be rejected.</summary>
    public static string BuiltinYaml(string module, string settingsYaml = "{}", bool mutating = false, string mode = "protect") =>
        $$"""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata:
              name: {{module}}
            spec:
              module: builtin://{{module}}
              mutating: {{(mutating ? "true" : "false")}}
              mode: {{mode}}
              rules:
              - apiGroups: ["*"]
                apiVersions: ["*"]
                resources: ["*", "pods/ephemeralcontainers"]
                operations: ["*"]
              settings: {{settingsYaml}}
            """;

    /// <summary>The manifests of a file under policies/examples/manifests, which must all load.</summary>
    public static IReadOnlyList<JsonObject> ExampleManifests(string fileName)
    {
        var path = Path.Combine(RepoPaths.Policies, "examples", "manifests", fileName);
        var manifests = ManifestLoader.LoadText(File.ReadAllText(path), path);
        Assert.Empty(manifests.Errors);
        return manifests.Documents.Select(d => d.Object).ToList();
    }

    public static PolicyDecision Decide(CompiledPolicy policy, JsonObject manifest, string operation = "CREATE")
    {
        var request = AdmissionRequestFactory.Create(manifest, "test", operation);
        return PolicyEvaluator.Decide(policy, request);
    }

    /// <summary>The decisions of every matching policy, as dry-run and the webhook reach them (mutating ones first).</summary>
    public static IReadOnlyList<PolicyDecision> Evaluate(IReadOnlyList<CompiledPolicy> policies, JsonObject manifest, NamespaceLabels? labels = null) =>
        AdmissionEvaluator.Review(policies, AdmissionRequestFactory.Create(manifest, "test"), labels ?? (_ => null)).Decisions;
}
