using System.Diagnostics;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Bench;

/// <summary>
/// Memory across many recompiles of a changing policy, as a long-running server sees it when a policy is edited
/// over and over: each version is compiled, evaluated once (settings bound, its own types read with ObjectAs), then
/// replaced. Prints the managed heap after a full collection, the working set and the live load contexts before,
/// during and after. The baseline in the same process is the same loop without retiring old versions (what the
/// server did before programs were unloaded), over fewer iterations.
/// </summary>
internal static class RecompileBenchmark
{
    private static readonly JsonObject Pod = JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web","team":"shop"}},
         "spec":{"containers":[{"name":"web","image":"registry.example.com/shop/web:1.4.2"}]}}
        """)!.AsObject();

    public static void Run(int iterations, int baselineIterations)
    {
        Console.WriteLine($"Recompiling a changing policy {iterations} times (compile, evaluate once, replace), in-memory compiler");
        var compiler = new PolicyCompiler();
        var loader = new PolicyLoader(compiler);
        var checkpoints = new HashSet<int> { 1, 10, 100, 250, 500, 750, iterations };
        Report("before", compiler);
        var watch = Stopwatch.StartNew();
        for (var i = 1; i <= iterations; i++)
        {
            CompileEvaluateAndReplace(loader, compiler, i, retire: true);
            if (checkpoints.Contains(i))
            {
                Report($"after {i}", compiler);
            }
        }

        Console.WriteLine($"  {iterations} recompiles in {watch.Elapsed.TotalSeconds:F1} s ({watch.Elapsed.TotalMilliseconds / iterations:F1} ms each)");

        MeasureLease(loader);

        Console.WriteLine($"Baseline: the same loop for {baselineIterations} iterations without retiring the old versions");
        var keeping = new PolicyCompiler();
        var keepingLoader = new PolicyLoader(keeping);
        var kept = new List<CompiledPolicy>();
        for (var i = 1; i <= baselineIterations; i++)
        {
            kept.Add(CompileEvaluateAndReplace(keepingLoader, keeping, iterations + i, retire: false));
            if (i % 100 == 0 || i == baselineIterations)
            {
                Report($"after {i}", keeping);
            }
        }

        GC.KeepAlive(kept);
    }

    private static CompiledPolicy CompileEvaluateAndReplace(PolicyLoader loader, PolicyCompiler compiler, int version, bool retire)
    {
        var yaml = $$"""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: team-label}
            spec:
              rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]}]
              settings: {label: team, limit: {{version}}}
              script: |
                public sealed class Settings { public string Label { get; set; } = ""; public int Limit { get; set; } }
                public sealed record Meta(string Name, Dictionary<string, string>? Labels);
                public sealed record Shape(string Kind, Meta Metadata);
                var settings = GetSettings<Settings>();
                var shape = ObjectAs<Shape>()!;
                const int Version = {{version}};
                return shape.Metadata.Labels?.ContainsKey(settings.Label) == true && settings.Limit == Version ? Allow() : Deny("version " + Version);
            """;
        var loaded = loader.LoadText(yaml, "recompile.yaml", null);
        var policy = loaded.Policies.Count == 1 ? loaded.Policies[0] : throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        var decision = PolicyEvaluator.Decide(policy, AdmissionRequestFactory.Create(Pod, "bench"));
        if (!decision.Allowed)
        {
            throw new InvalidOperationException($"version {version}: {decision.Message}");
        }

        if (retire)
        {
            // What the server does after publishing the next version: nothing serves this one any more.
            compiler.RetainOnly([]);
        }

        return policy;
    }

    /// <summary>What the lease adds to every evaluation: one interlocked increment and one decrement.</summary>
    private static void MeasureLease(PolicyLoader loader)
    {
        var policy = EvaluationBenchmark.Baseline(loader, "lease");
        var program = policy.Program;
        var parsed = new ParsedRequest(AdmissionRequestFactory.Create(Pod, "bench"));
        var lease = Measure.NanosecondsPerCall(
            () =>
            {
                program.AcquireLease();
                program.ReleaseLease();
            },
            2_000_000);
        var evaluation = Measure.NanosecondsPerCall(() => PolicyEvaluator.Decide(policy, parsed), 50_000);
        Console.WriteLine($"  lease (acquire + release), uncontended: {lease:F1} ns per evaluation; a whole `return Allow();` evaluation: {evaluation:F0} ns ({lease / evaluation * 100:F1}%)");
    }

    /// <summary>On Linux, the resident memory split into anonymous (heaps) and file-backed (mapped assemblies).</summary>
    private static string Rss()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status))
        {
            return "";
        }

        var lines = File.ReadAllLines(Status);
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        return $"(anon {Field("RssAnon")}, files {Field("RssFile")})";
    }

    private static void Report(string label, PolicyCompiler compiler)
    {
        // Unloading finishes over a few collections (the load context, then its code); let it settle.
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var contexts = AssemblyLoadContext.All.Count(c => c.Name?.StartsWith("policy-", StringComparison.Ordinal) == true);
        var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        Console.WriteLine($"  {label,-12} managed heap {heap / 1048576.0,7:F1} MiB   GC committed {committed / 1048576.0,7:F1} MiB   working set {process.WorkingSet64 / 1048576.0,7:F1} MiB {Rss()}  " +
            $"live policy load contexts {contexts,5}   cached programs {compiler.CachedProgramCount,5}");
    }
}
