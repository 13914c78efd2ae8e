using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Bench;

/// <summary>
/// Per-policy evaluation time on a typical Pod after warm-up (target: under 5 µs per policy). The baseline, in the
/// same run, is a policy whose script does nothing (<c>return Allow();</c>): what the engine itself costs per call.
/// </summary>
internal static class EvaluationBenchmark
{
    private const string TypicalPod = """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-7d9f8b6c5-x2x9q","namespace":"shop","labels":{"app.kubernetes.io/name":"web","app.kubernetes.io/version":"1.4.2","pod-template-hash":"7d9f8b6c5"},"annotations":{"kubewarden.policy/owner":"team-shop"}},
         "spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},
          "initContainers":[{"name":"migrate","image":"registry.example.com/shop/migrate:1.4.2","resources":{"limits":{"cpu":"200m","memory":"128Mi"}},"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],
          "containers":[{"name":"web","image":"registry.example.com/shop/web:1.4.2","ports":[{"containerPort":8080,"name":"http"}],"env":[{"name":"MODE","value":"production"}],
            "resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"250m","memory":"256Mi"}},
            "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"],"add":["NET_BIND_SERVICE"]}}},
           {"name":"metrics","image":"registry.example.com/shop/exporter:0.9","resources":{"limits":{"cpu":"100m","memory":"64Mi"}},"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}],
          "serviceAccountName":"web","restartPolicy":"Always"}}
        """;

    public static void Run()
    {
        var root = RepoRoot();
        var loader = new PolicyLoader(new PolicyCompiler());
        var loaded = loader.LoadFiles(
        [
            Path.Combine(root, "policies", "examples", "seed-policies.yaml"),
            Path.Combine(root, "policies", "run-as-non-root.yaml"),
            Path.Combine(root, "policies", "capabilities.yaml"),
            Path.Combine(root, "policies", "resource-limits.yaml"),
            Path.Combine(root, "policies", "required-labels.yaml"),
        ]);
        if (loaded.Errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        }

        var baseline = Baseline(loader, "baseline");

        var request = AdmissionRequestFactory.Create(JsonNode.Parse(TypicalPod)!.AsObject(), "bench");
        var podPolicies = loaded.Policies.Where(p => p.Name != "sql-size-restriction").ToList();

        // The engine parses a request once (ParsedRequest) and gives each policy its own copy of the models, so the
        // per-policy figure is measured on a request already parsed; the parse is reported on its own line.
        var parsed = new ParsedRequest(request);
        Console.WriteLine($"Per-policy evaluation, typical Pod ({TypicalPod.Length} bytes of JSON), median of 7 rounds after warm-up");
        var baselineNs = Measure.NanosecondsPerCall(() => PolicyEvaluator.Decide(baseline, parsed), 20_000);
        var parseNs = Measure.NanosecondsPerCall(() => JsonDocument.Parse(TypicalPod).Dispose(), 20_000);
        var typedParseNs = Measure.NanosecondsPerCall(() => _ = KubernetesJson.Deserialize<V1PodSpec>(request.Object!.Value.GetProperty("spec")), 20_000);

        // What ParsedRequest does per request, before and after ModelReader: the same pod spec, frozen both ways.
        var podSpec = request.Object!.Value.GetProperty("spec");
        var frozenStjNs = Measure.NanosecondsPerCall(() => _ = ModelFreezer.Freeze(KubernetesJson.Deserialize<V1PodSpec>(podSpec)), 20_000);
        var readerNs = Measure.NanosecondsPerCall(() => _ = ModelReader.ReadFrozen<V1PodSpec>(podSpec), 20_000);
        Console.WriteLine($"  {"baseline: return Allow();",-44} {baselineNs / 1000,8:F2} µs");
        Console.WriteLine($"  {"once per request: JsonDocument.Parse",-44} {parseNs / 1000,8:F2} µs");
        Console.WriteLine($"  {"once per request: pod spec to V1PodSpec",-44} {typedParseNs / 1000,8:F2} µs  (STJ, not frozen)");
        Console.WriteLine($"  {"  frozen, STJ + ModelFreezer (before)",-44} {frozenStjNs / 1000,8:F2} µs");
        Console.WriteLine($"  {"  frozen, ModelReader.ReadFrozen (now)",-44} {readerNs / 1000,8:F2} µs  ({frozenStjNs / readerNs,4:F1}x faster)");
        foreach (var policy in podPolicies)
        {
            var ns = Measure.NanosecondsPerCall(() => PolicyEvaluator.Decide(policy, parsed), 20_000);
            var outcome = PolicyEvaluator.Decide(policy, parsed).Outcome;
            Console.WriteLine($"  {policy.Name,-44} {ns / 1000,8:F2} µs  ({ns / baselineNs,5:F1}x baseline, {outcome.ToString().ToLowerInvariant()})  target < 5 µs: {(ns < 5000 ? "met" : "MISSED")}");
        }

        var all = Measure.NanosecondsPerCall(() => AdmissionEvaluator.Review(podPolicies, request, _ => null), 5_000);
        Console.WriteLine($"  {$"all {podPolicies.Count} pod policies, parse and answer included",-44} {all / 1000,8:F2} µs  = {all / podPolicies.Count / 1000:F2} µs per policy");
    }

    /// <summary>The baseline policy of the benchmarks: matches everything, and its script does nothing (<c>return Allow();</c>).</summary>
    internal static CompiledPolicy Baseline(PolicyLoader loader, string source) =>
        loader.LoadText("""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: baseline-allow}
            spec:
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
              script: return Allow();
            """, source, null).Policies.Single();

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyGate.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("PolicyGate.sln not found");
    }
}
