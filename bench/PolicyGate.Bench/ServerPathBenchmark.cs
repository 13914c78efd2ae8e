using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Bench;

/// <summary>
/// What <c>policygate serve</c> does per request once Kestrel has handed it over, without the network: the handler
/// of <c>POST /validate</c> on the body of the server benchmark (bench/server), with the policies bench/server/run.sh
/// loads, the server's metrics and its JSON-lines log (written to a discarding stream). The baseline, measured in the
/// same run, is the bare endpoint's handler (bench/PolicyGate.Bench.Echo): find the uid, answer allowed. The load
/// benchmark's throughput target (0.7x of the bare endpoint) leaves serve about 30 µs of its own per request on this
/// machine; this prints how much it takes, and where.
/// </summary>
internal static class ServerPathBenchmark
{
    /// <summary>The policies bench/server/run.sh loads (under policies/).</summary>
    private static readonly string[] PolicyFiles = ["examples/seed-policies.yaml", "capabilities.yaml", "resource-limits.yaml", "run-as-non-root.yaml"];

    public static void Run()
    {
        var root = EvaluationBenchmark.RepoRoot();
        var body = JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(File.ReadAllBytes(Path.Combine(root, "bench", "server", "admission-review.json"))));
        var loader = new PolicyLoader(new PolicyCompiler());
        var sources = PolicyFiles.Select(name => (Path: Path.Combine(root, "policies", name), Text: File.ReadAllText(Path.Combine(root, "policies", name))))
            .ToList();
        var policies = sources.SelectMany(s =>
        {
            // As bench/server/run.sh loads them: every Pod policy validating, so POST /validate runs all four.
            var loaded = loader.LoadText(s.Text.Replace("\n  mutating: true\n", "\n  mutating: false\n", StringComparison.Ordinal), s.Path, null);
            return loaded.Errors.Count == 0 ? loaded.Policies : throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        }).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

        var registry = new PolicyRegistry();
        registry.Publish(PolicySnapshot.Empty.Next(policies, [], DateTimeOffset.UtcNow));
        using var metrics = new PolicyGateMetrics();
        using var exporter = new PrometheusExporter(metrics);
        using var logs = new JsonLinesLoggerProvider(Stream.Null);
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        var handler = new AdmissionHandler(registry, metrics, Options.Create(new PolicyGateServerOptions()), factory.CreateLogger<AdmissionHandler>());

        var check = Request(body);
        handler.HandleAsync(check, AdmissionEndpoint.Validate, null).GetAwaiter().GetResult();
        var answer = ((MemoryStream)check.Response.Body).ToArray();
        if (!System.Text.Encoding.UTF8.GetString(answer).Contains("\"allowed\":true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("serve's handler did not allow the benchmark body: " + System.Text.Encoding.UTF8.GetString(answer));
        }

        Console.WriteLine($"Server request path in-process ({body.Length}-byte Pod CREATE, {policies.Count} policies loaded), median of 7 rounds");
        var bare = Measure.NanosecondsPerCall(() => PolicyGate.Bench.Echo.EchoHandler.HandleAsync(Request(body)).GetAwaiter().GetResult(), 20_000);
        var serve = Measure.NanosecondsPerCall(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult(), 20_000);
        Console.WriteLine($"  {"bare endpoint's handler (baseline)",-44} {bare / 1000,8:F2} µs");
        Breakdown(body, policies, factory.CreateLogger<AdmissionHandler>(), metrics);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) { handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult(); }
        var perReq = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) { PolicyGate.Bench.Echo.EchoHandler.HandleAsync(Request(body)).GetAwaiter().GetResult(); }
        Console.WriteLine($"alloc serve {perReq} bare {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000}");
        Console.WriteLine($"  {"serve's handler, POST /validate",-44} {serve / 1000,8:F2} µs  ({serve / bare:F1}x baseline, {(serve - bare) / 1000:F2} µs more)");
    }

    internal static void Breakdown(byte[] body, List<PolicyGate.Core.Evaluation.CompiledPolicy> policies, ILogger logger, PolicyGateMetrics metrics)
    {
        var review = AdmissionReviewReader.ReadAsync(Request(body).Request, 3 << 20, default).GetAwaiter().GetResult().Review!;
        var read = Measure.NanosecondsPerCall(() => AdmissionReviewReader.ReadAsync(Request(body).Request, 3 << 20, default).GetAwaiter().GetResult(), 20_000);
        var pass = Measure.NanosecondsPerCall(() => { var r = new Utf8JsonReader(body); var n = 0; while (r.Read()) { n++; } }, 20_000);
        var strings = Measure.NanosecondsPerCall(() => { var r = new Utf8JsonReader(body); while (r.Read()) { if (r.TokenType == JsonTokenType.String) { _ = r.GetString(); } } }, 20_000);
        Console.WriteLine($"reader pass {pass / 1000:F2} with strings {strings / 1000:F2}");
        var doc = Measure.NanosecondsPerCall(() => JsonDocument.Parse(body).Dispose(), 20_000);
        var evalAll = Measure.NanosecondsPerCall(() => PolicyGate.Core.Evaluation.AdmissionEvaluator.Review(policies, review.Request!, _ => null), 20_000);
        var spec = review.Request!.Object!.Value.GetProperty("spec");
        var typed = Measure.NanosecondsPerCall(() => PolicyGate.Core.Kubernetes.ModelFreezer.Freeze(PolicyGate.Core.Kubernetes.KubernetesJson.Deserialize<PolicyGate.Core.Kubernetes.V1PodSpec>(spec)), 20_000);
        var typedNoFreeze = Measure.NanosecondsPerCall(() => PolicyGate.Core.Kubernetes.KubernetesJson.Deserialize<PolicyGate.Core.Kubernetes.V1PodSpec>(spec), 20_000);
        var outcome = PolicyGate.Core.Evaluation.AdmissionEvaluator.Review(policies, review.Request!, _ => null);
        var ser = Measure.NanosecondsPerCall(() => JsonSerializer.SerializeAsync(Stream.Null, new PolicyGate.Core.Admission.AdmissionReview { ApiVersion = "admission.k8s.io/v1", Kind = "AdmissionReview", Response = outcome.Response }, PolicyGate.Core.Admission.AdmissionJson.Options).GetAwaiter().GetResult(), 20_000);
        var log = Measure.NanosecondsPerCall(() => { foreach (var d in outcome.Decisions) { Log.Decision(logger, "allowed", d.Policy, "uid", "CREATE", "Pod", "ns", "name", 0.01); } }, 20_000);
        var met = Measure.NanosecondsPerCall(() => { foreach (var d in outcome.Decisions) { metrics.RecordDecision(d.Policy, "allowed", TimeSpan.FromMicroseconds(3)); } }, 20_000);
        Console.WriteLine($"read {read / 1000:F2} doc {doc / 1000:F2} eval {evalAll / 1000:F2} typed {typed / 1000:F2} nofreeze {typedNoFreeze / 1000:F2} ser {ser / 1000:F2} log {log / 1000:F2} metrics {met / 1000:F2} decisions {outcome.Decisions.Count}");
    }

    private static DefaultHttpContext Request(byte[] body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Response.Body = new MemoryStream();
        return context;
    }
}
