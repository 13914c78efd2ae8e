using System.Diagnostics.Metrics;

namespace PolicyGate.Server.Observability;

/// <summary>
/// The server's instruments, on one <see cref="Meter"/> named <c>PolicyGate</c> (what <c>dotnet-counters monitor
/// --counters PolicyGate</c> shows): admission requests by policy and decision, latency histograms, evaluation errors
/// and timeouts, policy reloads and compile times. OpenTelemetry exports them on <c>/metrics</c>
/// (<see cref="PolicyGateTelemetry"/>); the instrument names are already the Prometheus names, so they are written as
/// they are.
/// </summary>
internal sealed class PolicyGateMetrics : IDisposable
{
    public const string MeterName = "PolicyGate";

    /// <summary>
    /// Histogram buckets, in seconds, from 100 µs to 10 s: an admission decision takes tens of microseconds to a few
    /// milliseconds, and a webhook times out after at most 30 s. (OpenTelemetry's default buckets, 0 to 10,000, are
    /// made for milliseconds and would put every decision in the first one.)
    /// </summary>
    public static readonly IReadOnlyList<double> SecondsBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _timeouts;
    private readonly Counter<long> _reloads;
    private readonly Histogram<double> _compile;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _workerRestarts;

    public PolicyGateMetrics()
    {
        Meter = new Meter(MeterName);
        _requests = Meter.CreateCounter<long>("policygate_admission_requests_total", description: "Admission decisions, by policy and decision.");
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _duration = Meter.CreateHistogram("policygate_admission_duration_seconds", "s", "Time to evaluate a policy on a request.", tags: null, advice: seconds);
        _errors = Meter.CreateCounter<long>("policygate_policy_evaluation_errors_total", description: "Evaluations that failed (the script threw or misbehaved).");
        _timeouts = Meter.CreateCounter<long>("policygate_policy_evaluation_timeouts_total", description: "Evaluations stopped after the policy's timeoutSeconds.");
        _reloads = Meter.CreateCounter<long>("policygate_policy_reloads_total", description: "Reloads of the policy folder, by result.");
        _compile = Meter.CreateHistogram("policygate_policy_compile_duration_seconds", "s", "Time spent compiling policy scripts in a reload.", tags: null, advice: seconds);
        _rejected = Meter.CreateCounter<long>("policygate_http_requests_rejected_total", description: "Requests rejected before evaluation, by HTTP status.");
        _workerRestarts = Meter.CreateCounter<long>("policygate_worker_restarts_total", description: "Worker processes of isolated policies that crashed, were killed or broke the protocol, by policy.");
    }

    public Meter Meter { get; }

    public void RecordDecision(string policy, string decision, TimeSpan elapsed)
    {
        var policyTag = new KeyValuePair<string, object?>("policy", policy);
        _requests.Add(1, policyTag, new KeyValuePair<string, object?>("decision", decision));
        _duration.Record(elapsed.TotalSeconds, policyTag);
    }

    public void RecordError(string policy, bool timedOut)
    {
        var policyTag = new KeyValuePair<string, object?>("policy", policy);
        (timedOut ? _timeouts : _errors).Add(1, policyTag);
    }

    public void RecordReload(bool success) => _reloads.Add(1, new KeyValuePair<string, object?>("result", success ? "success" : "error"));

    public void RecordCompile(TimeSpan elapsed, int scripts) =>
        _compile.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("scripts", scripts.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public void RecordRejected(int status) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// <c>policygate_events_total{outcome}</c>: what became of the Kubernetes Events the server recorded (created,
    /// folded into a series, dropped when the queue was full, failed after retries, abandoned at shutdown), read from
    /// <paramref name="counts"/> whenever /metrics is scraped.
    /// </summary>
    public void ObserveEvents(Func<IEnumerable<(string Outcome, long Count)>> counts) =>
        Meter.CreateObservableCounter(
            "policygate_events_total",
            () => counts().Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>("outcome", c.Outcome))),
            description: "Kubernetes Events about admission decisions, by what became of them.");

    public void RecordWorkerRestart(string policy) => _workerRestarts.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void Dispose() => Meter.Dispose();
}
