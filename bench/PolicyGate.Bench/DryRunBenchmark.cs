using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace PolicyGate.Bench;

/// <summary>
/// Dry-run throughput over 10,000 generated manifests with the seed policies, start-up included (target: over
/// 20,000 object-policy decisions per second). Runs the real <c>policygate</c> executable as a process, first with
/// an empty compile cache (cold: Roslyn compiles the scripts), then warm. The baseline, in the same run, is the
/// same command with two policies whose scripts only <c>return Allow();</c>: the cost of everything but the
/// policies' own logic. Medians of the warm runs, with their range: the VM is shared, so single runs vary.
/// </summary>
internal static class DryRunBenchmark
{
    private const int Manifests = 10_000;
    private const int Files = 100;
    private const int WarmRuns = 5;

    public static void Run()
    {
        var root = EvaluationBenchmark.RepoRoot();
        var work = Directory.CreateTempSubdirectory("policygate-bench-");
        try
        {
            var manifests = Path.Combine(work.FullName, "manifests");
            Generate(manifests);
            var baselinePolicy = Path.Combine(work.FullName, "baseline.yaml");
            File.WriteAllText(baselinePolicy, BaselinePolicies);
            var seed = Path.Combine(root, "policies", "examples", "seed-policies.yaml");
            var cache = Path.Combine(work.FullName, "cache");

            Console.WriteLine($"Dry-run throughput: {Manifests:N0} generated manifests in {Files} files, policygate as a process (start-up included)");
            var cold = RunCli(seed, manifests, cache);
            Console.WriteLine($"  {"seed policies, cold compile cache",-44} {cold.Seconds,6:F2} s  {cold.Decisions / cold.Seconds,9:N0} decisions/s  ({cold.Decisions:N0} decisions)");

            var seedRuns = new List<double>();
            var baselineRuns = new List<double>();
            var decisions = 0;
            for (var i = 0; i < WarmRuns; i++)
            {
                // Alternate the two, so drift in the machine's speed hits both alike.
                var s = RunCli(seed, manifests, cache);
                var b = RunCli(baselinePolicy, manifests, cache);
                seedRuns.Add(s.Seconds);
                baselineRuns.Add(b.Seconds);
                decisions = s.Decisions;
            }

            var seedSeconds = Measure.Median(seedRuns);
            var baselineSeconds = Measure.Median(baselineRuns);
            var rate = decisions / seedSeconds;
            var ratios = seedRuns.Zip(baselineRuns, (s, b) => s / b).ToList();
            Console.WriteLine($"  {"baseline (return Allow();), warm cache",-44} {baselineSeconds,6:F2} s  {decisions / baselineSeconds,9:N0} decisions/s  (runs {Range(baselineRuns)} s)");
            Console.WriteLine($"  {"seed policies, warm cache",-44} {seedSeconds,6:F2} s  {rate,9:N0} decisions/s  ({seedSeconds / baselineSeconds:F2}x baseline; runs {Range(seedRuns)} s, pair ratios {Range(ratios)})  target > 20,000/s: {(rate > 20_000 ? "met" : "MISSED")}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static string Range(List<double> values) => $"{values.Min():F2}-{values.Max():F2}";

    private static (double Seconds, int Decisions) RunCli(string policy, string manifests, string cache)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "policygate.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, "dry-run", "--policy", policy, "--manifests", manifests, "--output", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["POLICYGATE_CACHE_DIR"] = cache;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"policygate exited {process.ExitCode}: {stderr.Result}");
        }

        return (seconds, JsonNode.Parse(output)!["results"]!.AsArray().Count);
    }

    private static void Generate(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(42);
        var perFile = Manifests / Files;
        for (var f = 0; f < Files; f++)
        {
            var text = new StringBuilder();
            for (var d = 0; d < perFile; d++)
            {
                var n = (f * perFile) + d;
                text.Append(n % 10 == 9 ? SqlClaim(n, random) : Pod(n, random)).Append("---\n");
            }

            File.WriteAllText(Path.Combine(folder, $"batch-{f:D3}.yaml"), text.ToString());
        }
    }

    private static string Pod(int n, Random random)
    {
        var compliant = random.Next(4) != 0;
        var version = compliant ? "\n    app.kubernetes.io/version: \"1.0." + n + "\"" : "";
        var runAs = compliant ? "true" : "false";
        var caps = compliant ? "drop: [\"ALL\"]" : "add: [\"NET_ADMIN\"]";
        return $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: pod-{{n}}
              namespace: team-{{n % 17}}
              labels:
                app.kubernetes.io/name: app-{{n % 50}}{{version}}
              annotations:
                kubewarden.policy/owner: team-{{n % 17}}
            spec:
              securityContext:
                runAsNonRoot: {{runAs}}
              containers:
              - name: app
                image: registry.example.com/app-{{n % 50}}:1.0.{{n}}
                resources:
                  limits: {cpu: 500m, memory: 256Mi}
                securityContext:
                  allowPrivilegeEscalation: false
                  capabilities:
                    {{caps}}
              - name: sidecar
                image: registry.example.com/proxy:2.1
                securityContext:
                  capabilities:
                    drop: ["ALL"]

            """;
    }

    private static string SqlClaim(int n, Random random)
    {
        string[] sizes = ["small", "medium", "large", "huge"];
        return $$"""
            apiVersion: v1
            kind: SQLClaim
            metadata:
              name: db-{{n}}
              namespace: team-{{n % 17}}
            spec:
              size: {{sizes[random.Next(sizes.Length)]}}

            """;
    }

    private const string BaselinePolicies = """
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata: {name: baseline-pods}
        spec:
          rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"]}]
          script: return Allow();
        ---
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata: {name: baseline-sqlclaims}
        spec:
          rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["sqlclaims"], operations: ["CREATE", "UPDATE"]}]
          script: return Allow();
        """;
}
