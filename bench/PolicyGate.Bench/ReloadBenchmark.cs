using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Policies;

namespace PolicyGate.Bench;

/// <summary>
/// How long a policy change takes to be enforcing: from a ClusterAdmissionPolicy's watch event (sent by the loopback
/// fake API server of the tests) to the new version published in serve's registry, against the same change made to a
/// file in the policy folder (the baseline), alternating, over N changes each. Each change is a new script, so each
/// includes its compile. The issue's target: within 1 s of the watch event.
/// </summary>
internal static class ReloadBenchmark
{
    public static void Run(int changes) => RunAsync(changes).GetAwaiter().GetResult();

    private static async Task RunAsync(int changes)
    {
        var root = Directory.CreateTempSubdirectory("policygate-reload-bench-").FullName;
        try
        {
            await using var api = FakeApiServer.Start();
            api.SetListFor("/apis/policygate.io/v1/clusteradmissionpolicies", "1", Policy("from-cluster", "v0", "1"));
            var kubeconfig = Path.Combine(root, "kubeconfig");
            FakeApiServer.WriteKubeconfig(kubeconfig, api.Host, "t");
            var policies = Directory.CreateDirectory(Path.Combine(root, "policies")).FullName;
            var file = Path.Combine(policies, "from-file.yaml");
            await File.WriteAllTextAsync(file, FileYaml("v0"));
            var options = new PolicyGateServerOptions
            {
                PoliciesDirectory = policies,
                CertificateDirectory = Directory.CreateDirectory(Path.Combine(root, "certs")).FullName,
                Kubeconfig = kubeconfig,
                UseInClusterConfig = false,
            };

            using var connection = ClusterConnection.Connect(kubeconfig, null, allowInCluster: false)!;
            var services = new ServiceCollection().AddLogging(b => b.SetMinimumLevel(LogLevel.Warning)).AddPolicyGateServer(options);
            services.AddPolicyGateCluster(connection, options);
            await using var provider = services.BuildServiceProvider();
            var registry = provider.GetRequiredService<PolicyRegistry>();
            var reloads = provider.GetRequiredService<PolicyFolderService>();
            using var stop = new CancellationTokenSource();
            await reloads.StartAsync(stop.Token);
            await WaitForAsync(registry, () => registry.IsReady && Has(registry, "from-cluster", "v0") && Has(registry, "from-file", "v0"));

            var watches = new[] { await api.NextWatchAsync(), await api.NextWatchAsync(), await api.NextWatchAsync() };
            var watch = watches.Single(w => w.Request.Path.EndsWith("/clusteradmissionpolicies", StringComparison.Ordinal));
            var cluster = new List<double>();
            var folder = new List<double>();
            for (var i = 1; i <= changes; i++)
            {
                var version = $"v{i}";
                var started = Stopwatch.GetTimestamp();
                await watch.SendAsync("MODIFIED", Policy("from-cluster", version, (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                await WaitForAsync(registry, () => Has(registry, "from-cluster", version));
                cluster.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

                started = Stopwatch.GetTimestamp();
                await File.WriteAllTextAsync(file, FileYaml(version));
                await WaitForAsync(registry, () => Has(registry, "from-file", version));
                folder.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            await stop.CancelAsync();
            await reloads.StopAsync(CancellationToken.None);
            Console.WriteLine($"Policy change to enforcing, {changes} changes each (a new script each time, compile included), alternating:");
            Console.WriteLine($"  {"file in the policy folder (baseline)",-42} median {Measure.Median(folder),7:F0} ms   p99 {Percentile(folder, 0.99),7:F0} ms");
            Console.WriteLine($"  {"ClusterAdmissionPolicy watch event",-42} median {Measure.Median(cluster),7:F0} ms   p99 {Percentile(cluster, 0.99),7:F0} ms   ({Measure.Median(cluster) / Measure.Median(folder):F2}x baseline; target: within 1,000 ms)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool Has(PolicyRegistry registry, string name, string version) =>
        registry.Current.Find(name)?.Spec.Script?.Contains($"\"{version}\"", StringComparison.Ordinal) == true;

    /// <summary>Waits on the registry's change signal (no polling) until <paramref name="done"/>, at most 30 s.</summary>
    private static async Task WaitForAsync(PolicyRegistry registry, Func<bool> done)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var changed = registry.WaitForChangeAsync(deadline.Token);
            if (done())
            {
                return;
            }

            await changed;
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static JsonObject Policy(string name, string version, string resourceVersion) => new()
    {
        ["apiVersion"] = "policygate.io/v1",
        ["kind"] = "ClusterAdmissionPolicy",
        ["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = resourceVersion },
        ["spec"] = new JsonObject
        {
            ["rules"] = JsonNode.Parse("""[{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE"]}]"""),
            ["script"] = $"return Deny(\"{version}\");",
        },
    };

    private static string FileYaml(string version) => $$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata: {name: from-file}
        spec:
          rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
          script: return Deny("{{version}}"); // from the folder, so a script of its own to compile
        """;
}
