using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;
using PolicyGate.Core.Registry;
using OpenTelemetry.Metrics;
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

    /// <summary>
    /// serve's handler as <see cref="Run"/> measures it (the server benchmark's policies and body, the server's metrics and
    /// its JSON-lines log into a discarding stream), for <c>-- handler-loop</c> too.
    /// </summary>
    private sealed class ServeHandler : IDisposable
    {
        private readonly PolicyGateMetrics _metrics = new();
        private readonly ServiceProvider _telemetry;
        private readonly JsonLinesLoggerProvider _logs = new(Stream.Null);

        public ServeHandler()
        {
            var root = EvaluationBenchmark.RepoRoot();
            Body = JsonSerializer.SerializeToUtf8Bytes(JsonNode.Parse(File.ReadAllBytes(Path.Combine(root, "bench", "server", "admission-review.json"))));
            Policies = LoadPolicies(new PolicyLoader(new PolicyCompiler()));
            Registry.Publish(PolicySnapshot.Empty.Next(Policies, [], DateTimeOffset.UtcNow));
            // The server's metrics as serve has them: the meter, and OpenTelemetry's meter provider (with the Prometheus
            // exporter) listening to it. No tracer provider: serve registers none without OTEL_EXPORTER_OTLP_ENDPOINT.
            var configuration = new ConfigurationBuilder().Build();
            _telemetry = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration).AddSingleton(_metrics)
                .AddPolicyGateTelemetry(configuration).BuildServiceProvider();
            _ = _telemetry.GetRequiredService<MeterProvider>();
            Factory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Information));
            Handler = new AdmissionHandler(Registry, _metrics, Options.Create(new PolicyGateServerOptions()), Factory.CreateLogger<AdmissionHandler>());
        }

        public byte[] Body { get; }

        public List<CompiledPolicy> Policies { get; }

        public PolicyRegistry Registry { get; } = new();

        public ILoggerFactory Factory { get; }

        public AdmissionHandler Handler { get; }

        /// <summary>One POST /validate of the body, answered.</summary>
        public void Validate() => Handler.HandleAsync(Request(Body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult();

        public void Dispose()
        {
            Factory.Dispose();
            _logs.Dispose();
            _telemetry.Dispose();
            _metrics.Dispose();
        }
    }

    /// <summary>
    /// <c>-- handler-loop [warm-up seconds] [seconds] [evict bytes]</c>: serve's handler in a loop, for a profiler to sample
    /// (bench/server/profile.sh). Prints <c>measuring</c> after the warm-up, then the requests per second of the
    /// measured part, so that samples can be divided into per-request figures. With <paramref name="evictBytes"/>, each
    /// request is followed by writing that many bytes (a cache line at a time), which pushes the request's code and data
    /// out of the core's caches as a server's other connections, TLS and the kernel do under load; the writing is the
    /// loop's own frame, counted apart from serve's stages.
    /// </summary>
    public static void Loop(int warmupSeconds, int seconds, int evictBytes)
    {
        using var serve = new ServeHandler();
        var evict = new byte[Math.Max(evictBytes, 64)];
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed.TotalSeconds < warmupSeconds)
        {
            serve.Validate();
            Evict(evict, evictBytes);
        }

        Console.WriteLine($"measuring {Stopwatch.GetTimestamp()}");
        var watch = Stopwatch.StartNew();
        var requests = 0L;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            serve.Validate();
            Evict(evict, evictBytes);
            requests++;
        }

        Console.WriteLine($"requests/s {requests / watch.Elapsed.TotalSeconds:F1}");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Evict(byte[] buffer, int bytes)
    {
        for (var i = 0; i < bytes; i += 64)
        {
            buffer[i]++;
        }
    }

    public static void Run()
    {
        using var setup = new ServeHandler();
        var body = setup.Body;
        var policies = setup.Policies;
        var handler = setup.Handler;
        var factory = setup.Factory;

        var check = Request(body);
        handler.HandleAsync(check, AdmissionEndpoint.Validate, null).GetAwaiter().GetResult();
        var answer = System.Text.Encoding.UTF8.GetString(((MemoryStream)check.Response.Body).ToArray());
        if (!answer.Contains("\"allowed\":true", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("serve's handler did not allow the benchmark body: " + answer);
        }

        Console.WriteLine($"Server request path in-process ({body.Length}-byte Pod CREATE, {policies.Count} policies loaded, {policies.Count(p => !p.Spec.Mutating && p.Resource.Spec.Rules.Any(r => r.Resources.Contains("pods")))} run), median of 7 rounds");
        var bare = Measure.NanosecondsPerCall(() => Echo.EchoHandler.HandleAsync(Request(body)).GetAwaiter().GetResult(), 20_000);
        var serve = Measure.NanosecondsPerCall(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult(), 20_000);
        Console.WriteLine($"  {"bare endpoint's handler (baseline)",-48} {bare / 1000,8:F2} µs  {Allocated(() => Echo.EchoHandler.HandleAsync(Request(body)).GetAwaiter().GetResult()),7:N0} bytes allocated");
        Console.WriteLine($"  {"serve's handler, POST /validate",-48} {serve / 1000,8:F2} µs  {Allocated(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult()),7:N0} bytes allocated  ({serve / bare:F1}x baseline, {(serve - bare) / 1000:F2} µs more)");

        // Tracing: the same handler with no listener on PolicyGate's ActivitySource (serve without an OTLP endpoint: the
        // figure above), then with a listener that samples and records every span, as the tracer provider does when
        // OTEL_EXPORTER_OTLP_ENDPOINT is set (the OTLP exporter's batching and sending, off the request's thread, not included).
        // Alternating rounds (untraced, traced, ...), medians reported: the machine's drift hits both alike.
        var unlistened = Measure.NanosecondsPerCall(() => EvaluationTracing.Source.StartActivity(EvaluationTracing.PolicySpanName)?.Dispose(), 1_000_000);
        var unlistenedBytes = Allocated(() => EvaluationTracing.Source.StartActivity(EvaluationTracing.PolicySpanName)?.Dispose());
        var spans = 0L;
        var untracedRounds = new List<double>();
        var tracedRounds = new List<double>();
        long untracedBytes = 0, tracedBytes = 0, perRequest = 0;
        for (var round = 0; round < 3; round++)
        {
            untracedRounds.Add(Measure.NanosecondsPerCall(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult(), 10_000));
            untracedBytes = Allocated(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult());
            using var listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == EvaluationTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = _ => Interlocked.Increment(ref spans),
            };
            ActivitySource.AddActivityListener(listener);
            tracedRounds.Add(Measure.NanosecondsPerCall(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult(), 10_000));
            tracedBytes = Allocated(() => handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult());
            Interlocked.Exchange(ref spans, 0);
            handler.HandleAsync(Request(body), AdmissionEndpoint.Validate, null).GetAwaiter().GetResult();
            perRequest = Interlocked.Read(ref spans);
        }

        var untraced = Measure.Median(untracedRounds);
        var traced = Measure.Median(tracedRounds);
        Console.WriteLine($"  {"a span started with no listener (the guard)",-48} {unlistened,8:F2} ns  {unlistenedBytes,7:N0} bytes allocated  (per span; {perRequest} spans per request when traced)");
        Console.WriteLine($"  {"the same handler, no trace listener (no OTLP)",-48} {untraced / 1000,8:F2} µs  {untracedBytes,7:N0} bytes allocated  (3 alternating rounds: {string.Join(", ", untracedRounds.Select(r => (r / 1000).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))})");
        Console.WriteLine($"  {"the same, every span sampled (OTLP endpoint set)",-48} {traced / 1000,8:F2} µs  {tracedBytes,7:N0} bytes allocated  ({string.Join(", ", tracedRounds.Select(r => (r / 1000).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)))}; {traced / untraced:F2}x untraced, {(traced - untraced) / 1000:F2} µs and {tracedBytes - untracedBytes:N0} bytes more)");

        // The stages of serve's handler, each on its own (they do not add up exactly: the whole shares caches and JIT).
        Console.WriteLine("  of which:");
        var read = Measure.NanosecondsPerCall(() => AdmissionReviewReader.ReadAsync(Request(body).Request, 3 << 20, default).GetAwaiter().GetResult().Review!.Dispose(), 20_000);
        using var document = AdmissionReviewReader.ReadAsync(Request(body).Request, 3 << 20, default).GetAwaiter().GetResult().Review!;
        var request = document.Request;
        var spec = request.Object!.Value.GetProperty("spec");
        var metadata = request.Object!.Value.GetProperty("metadata");
        var typed = Measure.NanosecondsPerCall(() => { ModelReader.ReadFrozen<V1PodSpec>(spec); ModelReader.ReadFrozen<V1ObjectMeta>(metadata); }, 20_000);
        var evaluate = Measure.NanosecondsPerCall(() => AdmissionEvaluator.Review(policies, request, _ => null), 20_000);
        var outcome = AdmissionEvaluator.Review(policies, request, _ => null);
        var logger = factory.CreateLogger<AdmissionHandler>();
        var log = Measure.NanosecondsPerCall(() => Log.Decision(logger, LogLevel.Information, new DecisionLogEntry(
            "allowed", request.Uid, request.Operation, request.Kind.Kind, request.Namespace, request.Name, 0.04, outcome.Decisions, 0)), 20_000);
        var respond = Measure.NanosecondsPerCall(() =>
        {
            using var writer = new Utf8JsonWriter(Stream.Null);
            JsonSerializer.Serialize(writer, new AdmissionReview { ApiVersion = AdmissionReview.ApiVersionV1, Kind = AdmissionReview.KindName, Response = outcome.Response }, AdmissionJson.Options);
        }, 20_000);
        Console.WriteLine($"    {"read the body, parse the AdmissionReview",-46} {read / 1000,8:F2} µs   (JsonDocument.Parse alone: {Measure.NanosecondsPerCall(() => JsonDocument.Parse(body).Dispose(), 20_000) / 1000:F2} µs)");
        Console.WriteLine($"    {$"evaluate the {outcome.Decisions.Count} matching policies",-46} {evaluate / 1000,8:F2} µs   (of which typed pod spec and metadata: {typed / 1000:F2} µs)");
        Console.WriteLine($"    {$"the decision line naming all {outcome.Decisions.Count} (--decision-log all)",-46} {log / 1000,8:F2} µs   (the default logs none for a request every policy allows)");
        Console.WriteLine($"    {"write the AdmissionReview answer",-46} {respond / 1000,8:F2} µs");
    }

    /// <summary>The policies bench/server/run.sh loads, through <paramref name="loader"/>, in name order.</summary>
    public static List<CompiledPolicy> LoadPolicies(PolicyLoader loader)
    {
        var root = EvaluationBenchmark.RepoRoot();
        return PolicyFiles.SelectMany(name =>
        {
            var path = Path.Combine(root, "policies", name);
            // As bench/server/run.sh loads them: every Pod policy validating, so POST /validate runs all four.
            var loaded = loader.LoadText(File.ReadAllText(path).Replace("\n  mutating: true\n", "\n  mutating: false\n", StringComparison.Ordinal), path, null);
            return loaded.Errors.Count == 0 ? loaded.Policies : throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        }).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
    }

    private static long Allocated(Action action)
    {
        action();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            action();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
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
