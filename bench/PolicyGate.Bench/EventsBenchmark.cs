using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Certificates;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Events;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Bench;

/// <summary>
/// What Kubernetes Events cost admission: two <c>policygate serve</c> servers in this process (the app
/// <see cref="PolicyGateServer.Create"/> builds: Kestrel on 127.0.0.1, TLS, decision log to a discarding stream), the
/// built-in required-labels policy in their folder, one with a kubeconfig pointing at the loopback fake API server of
/// the tests (so every denial becomes two Events through the real recorder: Events on) and one without a cluster
/// (Events off), each loaded in turn (ABBA order) with a constant rate of denied Pod CREATEs over HTTP/1.1. The load
/// is open-loop: request i is due at start + i / rate and its latency runs from then, not from when it was sent
/// (wrk2's way), so a stall is charged to every request it delays. The objects: 8 namespaces, each with 4 ReplicaSets
/// whose Pods have only a generateName (the Events are about the ReplicaSet) and 2 named Pods, 48 subjects in turn,
/// each repeating about every 48 ms: series folding at work. The issue's target: p99 with Events within 1.1x of p99
/// without, at 1,000 denials/s; and how many API requests PolicyGate makes per denial after folding.
/// </summary>
internal static class EventsBenchmark
{
    private const string UidPlaceholder = "00000000-0000-0000-0000-000000000000";

    private const string EventsPrefix = "/apis/events.k8s.io/";

    public static void Run(int rounds, int seconds, int rate, int connections) =>
        RunAsync(rounds, TimeSpan.FromSeconds(seconds), rate, connections).GetAwaiter().GetResult();

    private static async Task RunAsync(int rounds, TimeSpan duration, int rate, int connections)
    {
        var root = Directory.CreateTempSubdirectory("policygate-events-bench-").FullName;
        try
        {
            await RunInAsync(root, rounds, duration, rate, connections);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RunInAsync(string root, int rounds, TimeSpan duration, int rate, int connections)
    {
        var certificates = CertificateGenerator.Generate(new ServingCertificateRequest("policygate", "policygate") { ExtraIpAddresses = [IPAddress.Loopback] });
        var certs = Directory.CreateDirectory(Path.Combine(root, "certs")).FullName;
        await File.WriteAllTextAsync(Path.Combine(certs, TlsFileNames.PrivateKey), certificates.PrivateKeyPem);
        await File.WriteAllTextAsync(Path.Combine(certs, TlsFileNames.Certificate), certificates.CertificatePem);
        var policies = Directory.CreateDirectory(Path.Combine(root, "policies")).FullName;
        File.Copy(Path.Combine(EvaluationBenchmark.RepoRoot(), "policies", "required-labels.yaml"), Path.Combine(policies, "required-labels.yaml"));
        using var ca = X509Certificate2.CreateFromPem(certificates.CaCertificatePem);
        var api = FakeApiServer.Start();
        Webhook? off = null;
        Webhook? on = null;
        try
        {
            var kubeconfig = Path.Combine(root, "kubeconfig");
            FakeApiServer.WriteKubeconfig(kubeconfig, api.Host, "t");
            PolicyGateServerOptions Options(string? cluster) => new()
            {
                PoliciesDirectory = policies,
                CertificateDirectory = certs,
                Address = "127.0.0.1",
                Port = 0,
                Kubeconfig = cluster,
                UseInClusterConfig = false,
                PodName = "policygate-bench",
            };

            off = await Webhook.StartAsync(Options(null), ca, connections);
            on = await Webhook.StartAsync(Options(kubeconfig), ca, connections);
            var recorder = on.App.Services.GetRequiredService<EventRecorder>();
            var bodies = Bodies();

            Console.WriteLine($"Kubernetes Events' cost: {rate:N0} denied Pod CREATEs/s, open-loop, HTTP/1.1 over TLS on at most {connections} connections, " +
                $"{bodies.Count} subjects in turn; {rounds} rounds of {duration.TotalSeconds:F0} s each way, ABBA order, after a 5 s warm-up each.");
            Console.WriteLine("Client, both servers and the fake API server share this process and the machine's cores: figures include their contention.");
            var warmOff = await LoadAsync(off, bodies, rate, TimeSpan.FromSeconds(5));
            var warmOn = await LoadAsync(on, bodies, rate, TimeSpan.FromSeconds(5));
            var deniedOn = warmOn.Denied;
            Console.WriteLine($"  after the warm-up, the recorder has created {recorder.Counts.Created} Events and dropped {recorder.Counts.Dropped} occurrences");
            if (warmOff.Denied == 0 || warmOn.Denied == 0)
            {
                throw new InvalidOperationException("the warm-up's requests were not denied: check the policy and the bodies");
            }

            var results = new List<(Round Off, Round On)>();
            for (var r = 0; r < rounds; r++)
            {
                Round a, b;
                if (r % 2 == 0)
                {
                    a = await MeasureAsync(off, "off", bodies, rate, duration, api, null);
                    b = await MeasureAsync(on, "on", bodies, rate, duration, api, recorder);
                }
                else
                {
                    b = await MeasureAsync(on, "on", bodies, rate, duration, api, recorder);
                    a = await MeasureAsync(off, "off", bodies, rate, duration, api, null);
                }

                deniedOn += b.Denied;
                results.Add((a, b));
                Console.WriteLine($"  round {r + 1}:");
                foreach (var round in r % 2 == 0 ? [a, b] : new[] { b, a })
                {
                    Console.WriteLine($"    Events {round.Label,-3}  p50 {round.P50,6:F2} ms  p99 {round.P99,6:F2} ms  max {round.Max,7:F2} ms  " +
                        $"{round.Achieved,6:N0}/s answered  {round.Denied:N0} denied, {round.Failed} failed  " +
                        $"send lag p99 {round.LagP99,5:F2} ms  machine CPU {round.CpuMicroseconds,5:F0} µs/req  {round.AllocatedBytes / 1024.0,5:F1} KB/req  " +
                        $"slowest 1% due {round.SlowFrom:F1}-{round.SlowTo:F1} s  Event writes (the on server's): {round.Posts} POST, {round.Patches} PATCH{round.Writes}, " +
                        $"{round.Dropped} dropped  load {round.Load}");
                }

                Console.WriteLine($"    p99 on/off {b.P99 / a.P99:F2}x");
            }

            var queuedAtEnd = recorder.QueueLength;
            var onCountsBeforeStop = recorder.Counts;
            await on.DisposeAsync(); // drains the recorder: pending series patches go out
            on = null;
            var counts = recorder.Counts;
            var requests = api.Requests;
            var writes = requests.Where(q => q.Path.StartsWith(EventsPrefix, StringComparison.Ordinal)).ToList();
            var posts = writes.Count(q => q.Method == "POST");
            var patches = writes.Count(q => q.Method == "PATCH");
            var otherEvents = writes.Count - posts - patches;
            var caches = requests.Count - writes.Count;

            double Median(Func<Round, double> of, bool events) => Measure.Median(results.Select(p => of(events ? p.On : p.Off)));
            Console.WriteLine($"  median of {rounds} rounds:");
            Console.WriteLine($"    Events off  p50 {Median(r => r.P50, false),6:F2} ms  p99 {Median(r => r.P99, false),6:F2} ms  max {Median(r => r.Max, false),7:F2} ms  " +
                $"{Median(r => r.Achieved, false),6:N0}/s  machine CPU {Median(r => r.CpuMicroseconds, false),5:F0} µs/req  {Median(r => r.AllocatedBytes, false) / 1024,5:F1} KB/req");
            Console.WriteLine($"    Events on   p50 {Median(r => r.P50, true),6:F2} ms  p99 {Median(r => r.P99, true),6:F2} ms  max {Median(r => r.Max, true),7:F2} ms  " +
                $"{Median(r => r.Achieved, true),6:N0}/s  machine CPU {Median(r => r.CpuMicroseconds, true),5:F0} µs/req  {Median(r => r.AllocatedBytes, true) / 1024,5:F1} KB/req");
            var pairRatio = Measure.Median(results.Select(p => p.On.P99 / p.Off.P99));
            Console.WriteLine($"    p99 on/off: {pairRatio:F2}x (median of the rounds' ratios; {Median(r => r.P99, true) / Median(r => r.P99, false):F2}x of the medians); " +
                $"target within 1.1x: {(pairRatio <= 1.1 ? "met" : "MISSED")}");
            Console.WriteLine($"  API traffic of Events on, {deniedOn:N0} denials in all (warm-up included), counted by the fake API server until the server stopped (its drain included):");
            Console.WriteLine($"    {posts:N0} POST (Events created), {patches:N0} PATCH (series updates), {otherEvents} other Event requests: " +
                $"{(double)writes.Count / deniedOn:F4} requests per denial ({(double)deniedOn / Math.Max(1, writes.Count):N0} denials per request)");
            Console.WriteLine($"    besides, {caches} list/watch requests of the policy and Namespace caches (at start-up, not per denial)");
            Console.WriteLine($"    recorder before stopping: accepted {onCountsBeforeStop.Accepted:N0}, created {onCountsBeforeStop.Created}, series updated {onCountsBeforeStop.SeriesUpdated}, queued {queuedAtEnd}");
            Console.WriteLine($"    recorder after its drain: accepted {counts.Accepted:N0} occurrences, created {counts.Created}, series updated {counts.SeriesUpdated}, " +
                $"dropped {counts.Dropped}, failed {counts.Failed}, abandoned {counts.Abandoned}");

            await RecorderAloneAsync(kubeconfig, bodies.Count, rate, off, bodies[0]);
        }
        finally
        {
            if (on is not null)
            {
                await on.DisposeAsync();
            }

            if (off is not null)
            {
                await off.DisposeAsync();
            }

            await api.DisposeAsync();
        }
    }

    /// <summary>
    /// The recorder's own cost, without HTTP or admission around it: the occurrences the sink queues for
    /// <paramref name="rate"/> denials a second (two each, <paramref name="subjects"/> subjects in turn, as in the
    /// rounds) are handed to a started recorder writing to the fake API server, from a thread that wakes every
    /// millisecond; against the same thread handing them to nobody. After a 5 s warm-up (its creates), 10 s each way.
    /// </summary>
    private static async Task RecorderAloneAsync(string kubeconfig, int subjects, int rate, Webhook server, Body body)
    {
        var policy = new EventReference("policygate.io/v1", "ClusterAdmissionPolicy", null, "required-labels", null);
        var requests = Enumerable.Range(0, subjects).SelectMany(i =>
        {
            var regarding = new EventReference("apps/v1", "ReplicaSet", $"tenant-{i / 6}", $"app-{i % 6}", null);
            const string Note = "missing required labels";
            return new[]
            {
                new EventRequest(regarding.Namespace!, regarding, policy, EventTypes.Warning, "PolicyViolation", "Denied", Note),
                new EventRequest("default", policy, regarding, EventTypes.Warning, "PolicyViolation", "Denied", $"ReplicaSet {regarding.Namespace}/{regarding.Name}: {Note}"),
            };
        }).ToArray();
        using var connection = ClusterConnection.Connect(kubeconfig, null, allowInCluster: false)!;
        var recorder = new EventRecorder(connection.Client, new EventRecorderOptions { ReportingInstance = "policygate-bench" }, TimeProvider.System, NullLogger.Instance);
        recorder.Start();
        try
        {
            Pace(recorder, requests, rate, TimeSpan.FromSeconds(5));
            var (cpuOn, allocatedOn, occurrences) = Pace(recorder, requests, rate, TimeSpan.FromSeconds(10));
            var (cpuOff, allocatedOff, _) = Pace(null, requests, rate, TimeSpan.FromSeconds(10));
            var (nanoseconds, bytes) = await AdmissionPathAsync(recorder, server, body);
            var counts = recorder.Counts;
            Console.WriteLine($"  what a denial's Events cost the admission path (PolicyEvents.From and ClusterEventSink.Publish, queueing two occurrences), " +
                $"on the request's thread: {nanoseconds / 1000:F1} µs and {bytes:N0} bytes allocated");
            Console.WriteLine($"  the recorder alone, {occurrences:N0} occurrences in 10 s ({2 * rate:N0}/s, {requests.Length} distinct), against the same pacing thread handing them to nobody:");
            Console.WriteLine($"    {(cpuOn - cpuOff).TotalMicroseconds / occurrences:F1} µs of machine CPU and {(double)(allocatedOn - allocatedOff) / occurrences:F0} bytes allocated per occurrence " +
                $"(TryRecord, the pump's folding and wake-ups); so far created {counts.Created}, series updated {counts.SeriesUpdated}, dropped {counts.Dropped}");
        }
        finally
        {
            await recorder.DisposeAsync();
        }
    }

    /// <summary>
    /// The Events' share of the admission path for <paramref name="body"/>, as serve's handler runs it after the
    /// evaluation: <see cref="PolicyEvents.From"/>, then <see cref="ClusterEventSink.Publish"/> to a started recorder.
    /// In chunks of 100 denials with a pause between, so that the queue never fills (a full queue is a cheaper path).
    /// </summary>
    private static async Task<(double Nanoseconds, long Bytes)> AdmissionPathAsync(EventRecorder recorder, Webhook server, Body body)
    {
        var snapshot = server.App.Services.GetRequiredService<PolicyRegistry>().Current;
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Bytes.Length;
        context.Request.Body = new MemoryStream(body.Bytes, writable: false);
        using var document = (await Server.Admission.AdmissionReviewReader.ReadAsync(context.Request, 3 << 20, default)).Review!;
        var request = document.Request;
        var decisions = Core.Evaluation.AdmissionEvaluator.Review(snapshot.Validating, request, _ => null).Decisions;
        var sink = new Server.Events.ClusterEventSink(recorder);
        void Deny()
        {
            foreach (var policyEvent in Core.Events.PolicyEvents.From(request, decisions, name => snapshot.Find(name)?.Resource, TimeProvider.System.GetUtcNow()))
            {
                sink.Publish(policyEvent);
            }
        }

        var ticks = 0L;
        var bytes = 0L;
        var calls = 0;
        for (var chunk = 0; chunk < 30; chunk++)
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < 100; i++)
            {
                Deny();
            }

            if (chunk >= 10)
            {
                ticks += Stopwatch.GetTimestamp() - started;
                bytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                calls += 100;
            }

            await Task.Delay(100);
        }

        return (ticks * 1e9 / Stopwatch.Frequency / calls, bytes / calls);
    }

    /// <summary>Hands <paramref name="requests"/> in turn to <paramref name="recorder"/> (none: to nobody), two per
    /// denial at <paramref name="rate"/> denials a second, from a thread that wakes every millisecond.</summary>
    private static (TimeSpan Cpu, long Allocated, int Occurrences) Pace(EventRecorder? recorder, EventRequest[] requests, int rate, TimeSpan duration)
    {
        var count = (int)(2 * rate * duration.TotalSeconds);
        var ticksPerOccurrence = (double)Stopwatch.Frequency / (2 * rate);
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var start = Stopwatch.GetTimestamp();
        var handed = 0L;
        for (var next = 0; next < count;)
        {
            var now = Stopwatch.GetTimestamp() - start;
            for (; next < count && next * ticksPerOccurrence <= now; next++)
            {
                if (recorder is null)
                {
                    handed += requests[next % requests.Length].Note.Length;
                }
                else
                {
                    recorder.TryRecord(requests[next % requests.Length]);
                }
            }

            Thread.Sleep(1);
        }

        GC.KeepAlive(handed);
        process.Refresh();
        return (process.TotalProcessorTime - cpu, GC.GetTotalAllocatedBytes() - allocated, count);
    }

    private static async Task<Round> MeasureAsync(
        Webhook server, string label, List<Body> bodies, int rate, TimeSpan duration, FakeApiServer api, EventRecorder? recorder)
    {
        var before = api.Requests.Count;
        var droppedBefore = recorder?.Counts.Dropped ?? 0;
        var loadBefore = LoadAverage();
        var load = await LoadAsync(server, bodies, rate, duration);
        var writes = api.Requests.Skip(before).Where(q => q.Path.StartsWith(EventsPrefix, StringComparison.Ordinal)).ToList();
        return load with
        {
            Label = label,
            Posts = writes.Count(q => q.Method == "POST"),
            Patches = writes.Count(q => q.Method == "PATCH"),
            Dropped = (recorder?.Counts.Dropped ?? 0) - droppedBefore,
            Writes = writes.Count == 0 ? "" : $" at {Stopwatch.GetElapsedTime(load.Start, writes[0].Timestamp).TotalSeconds:F1}-{Stopwatch.GetElapsedTime(load.Start, writes[^1].Timestamp).TotalSeconds:F1} s",
            Load = $"{loadBefore}→{LoadAverage()}",
        };
    }

    /// <summary>The machine's 1-minute load average (Linux), to show how busy the shared cores were; "?" elsewhere.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    /// <summary>
    /// Sends <paramref name="rate"/> requests a second for <paramref name="duration"/>, each at its due time (a
    /// dedicated thread wakes every millisecond and sends what has fallen due), and waits for every answer.
    /// </summary>
    private static async Task<Round> LoadAsync(Webhook server, List<Body> bodies, int rate, TimeSpan duration)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new double[count];
        var lags = new double[count];
        var sent = new Task<bool>[count];
        var ticksPerRequest = (double)Stopwatch.Frequency / rate;
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes();
        var start = Stopwatch.GetTimestamp();
        var dispatcher = new Thread(() =>
        {
            for (var next = 0; next < count;)
            {
                var now = Stopwatch.GetTimestamp() - start;
                for (; next < count && next * ticksPerRequest <= now; next++)
                {
                    sent[next] = SendAsync(server.Client, bodies[next % bodies.Count], next, start + (long)(next * ticksPerRequest), latencies, lags);
                }

                Thread.Sleep(1);
            }
        })
        { IsBackground = true, Name = "events-bench-dispatcher" };
        dispatcher.Start();
        await Task.Run(dispatcher.Join);
        var denied = (await Task.WhenAll(sent)).Count(d => d);
        var elapsed = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        var answered = latencies.Where(l => !double.IsNaN(l)).Order().ToArray();
        var p99 = Percentile(answered, 0.99);
        var slow = Enumerable.Range(0, count).Where(i => latencies[i] >= p99).Select(i => (double)i / rate).ToArray();
        return new Round(
            "",
            Percentile(answered, 0.50),
            Percentile(answered, 0.99),
            answered.Length == 0 ? double.NaN : answered[^1],
            answered.Length / elapsed.TotalSeconds,
            denied,
            count - denied,
            Percentile([.. lags.Order()], 0.99),
            (process.TotalProcessorTime - cpu).TotalMicroseconds / count,
            (double)(GC.GetTotalAllocatedBytes() - allocated) / count,
            0,
            0,
            "")
        {
            Start = start,
            SlowFrom = slow.Length == 0 ? double.NaN : slow.Min(),
            SlowTo = slow.Length == 0 ? double.NaN : slow.Max(),
        };
    }

    /// <summary>Sends request <paramref name="i"/> (its own uid); true when it was answered with a denial.</summary>
    private static async Task<bool> SendAsync(HttpClient client, Body body, int i, long due, double[] latencies, double[] lags)
    {
        lags[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
        var bytes = body.Bytes.ToArray();
        Encoding.ASCII.GetBytes(i.ToString("D12", CultureInfo.InvariantCulture), bytes.AsSpan(body.UidOffset + UidPlaceholder.Length - 12));
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        try
        {
            using var response = await client.PostAsync(new Uri("/validate", UriKind.Relative), content).ConfigureAwait(false);
            var answer = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            latencies[i] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            return response.StatusCode == HttpStatusCode.OK && answer.AsSpan().IndexOf("\"allowed\":false"u8) >= 0;
        }
        catch (HttpRequestException)
        {
            latencies[i] = double.NaN;
            return false;
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>
    /// The 48 subjects: in each of 8 namespaces, Pods of 4 ReplicaSets (generateName only, so their Events are about
    /// the ReplicaSet, as for a controller retrying) and 2 named Pods (a client re-applying them). None has the
    /// <c>team</c> label or the owner annotation required-labels asks for, so each is denied, always with the same note.
    /// </summary>
    private static List<Body> Bodies()
    {
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(EvaluationBenchmark.RepoRoot(), "bench", "server", "admission-review.json")))!;
        var bodies = new List<Body>();
        for (var n = 0; n < 8; n++)
        {
            var ns = $"tenant-{n}";
            for (var s = 0; s < 6; s++)
            {
                var review = template.DeepClone();
                var request = review["request"]!;
                request["uid"] = UidPlaceholder;
                request["namespace"] = ns;
                var metadata = request["object"]!["metadata"]!.AsObject();
                metadata["namespace"] = ns;
                metadata["labels"]!.AsObject().Remove("team");
                metadata.Remove("name");
                if (s < 4)
                {
                    var owner = $"app-{s}-7d9f8b6c{n}";
                    request.AsObject().Remove("name");
                    metadata["generateName"] = owner + "-";
                    metadata["ownerReferences"]![0]!["name"] = owner;
                    metadata["ownerReferences"]![0]!["uid"] = $"9d2b7a3e-5a0c-4c6b-8f1e-3a7d6c5b4e{n}{s}";
                }
                else
                {
                    var name = $"runner-{s - 4}";
                    request["name"] = name;
                    metadata["name"] = name;
                    metadata.Remove("generateName");
                    metadata.Remove("ownerReferences");
                }

                var bytes = Encoding.UTF8.GetBytes(review.ToJsonString());
                bodies.Add(new Body(bytes, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(UidPlaceholder))));
            }
        }

        return bodies;
    }

    private sealed record Body(byte[] Bytes, int UidOffset);

    /// <summary>One load's figures; latencies in milliseconds from each request's due time.</summary>
    private sealed record Round(
        string Label, double P50, double P99, double Max, double Achieved, int Denied, int Failed, double LagP99,
        double CpuMicroseconds, double AllocatedBytes, int Posts, int Patches, string Load)
    {
        /// <summary>Occurrences the recorder refused during the round (Events on).</summary>
        public long Dropped { get; init; }

        /// <summary>When the round started (a <see cref="Stopwatch"/> timestamp).</summary>
        public long Start { get; init; }

        /// <summary>The first and last due time (seconds into the round) of the requests at or above the p99.</summary>
        public double SlowFrom { get; init; }

        public double SlowTo { get; init; }

        /// <summary>The first and last Event write (seconds into the round), if any.</summary>
        public string Writes { get; init; } = "";
    }

    /// <summary>A <c>policygate serve</c> on 127.0.0.1 and a client trusting its CA, on at most N HTTP/1.1 connections.</summary>
    private sealed class Webhook : IAsyncDisposable
    {
        private readonly JsonLinesLoggerProvider _log;

        private Webhook(WebApplication app, JsonLinesLoggerProvider log, HttpClient client)
        {
            App = app;
            _log = log;
            Client = client;
        }

        public WebApplication App { get; }

        public HttpClient Client { get; }

        public static async Task<Webhook> StartAsync(PolicyGateServerOptions options, X509Certificate2 ca, int connections)
        {
            // serve logs every decision at Information as JSON lines; here into a discarding stream.
            var log = new JsonLinesLoggerProvider(Stream.Null);
            var app = PolicyGateServer.Create(options, logging => logging.AddProvider(log));
            await app.StartAsync();
            var registry = app.Services.GetRequiredService<PolicyRegistry>();
            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                while (registry.Current.Find("required-labels") is null)
                {
                    await registry.WaitForChangeAsync(deadline.Token);
                }
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = connections,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    {
                        if (certificate is null)
                        {
                            return false;
                        }

                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.Add(ca);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        using var leaf = new X509Certificate2(certificate);
                        return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                    },
                },
            };
            var client = new HttpClient(handler)
            {
                BaseAddress = new Uri(address),
                DefaultRequestVersion = HttpVersion.Version11,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            return new Webhook(app, log, client);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
            _log.Dispose();
        }
    }
}
