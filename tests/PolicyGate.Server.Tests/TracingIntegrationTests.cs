using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PolicyGate.Core.Evaluation;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>
/// The spans of an admission request, seen through an <see cref="ActivityListener"/> that samples everything (what a
/// tracer provider does when OTEL_EXPORTER_OTLP_ENDPOINT is set). The listener is process-wide and other tests run
/// servers at the same time, so each test picks out its own request by its uid.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TracingIntegrationTests
{
    [Fact]
    public async Task Validate_TwoMatchingPolicies_OneRequestSpanWithAChildPerPolicy()
    {
        using var spans = new Spans();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["team.yaml"] = TestPolicyFiles.TeamLabel(),
            ["throws.yaml"] = TestPolicyFiles.Inline("throws", "throw new InvalidOperationException(\"boom\");", extra: "  failurePolicy: Ignore"),
        });
        var uid = Guid.NewGuid().ToString();

        using var answer = await server.PostAsync("/validate", Reviews.Pod(uid));

        answer.EnsureSuccessStatusCode();
        var request = await spans.RequestAsync(uid); // the span ends after the answer is flushed
        Assert.Equal("POST /validate", request.DisplayName);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal(false, request.GetTagItem(AdmissionTracing.AllowedTag));
        var children = spans.All.Where(s => s.ParentSpanId == request.SpanId && s.TraceId == request.TraceId).OrderBy(s => (string?)s.GetTagItem(EvaluationTracing.PolicyTag), StringComparer.Ordinal).ToList();
        Assert.Equal(2, children.Count);
        Assert.All(children, child => Assert.Equal(EvaluationTracing.PolicySpanName, child.OperationName));
        Assert.Equal("team-label", children[0].GetTagItem(EvaluationTracing.PolicyTag));
        Assert.Equal("denied", children[0].GetTagItem(EvaluationTracing.DecisionTag));
        Assert.Equal("protect", children[0].GetTagItem(EvaluationTracing.ModeTag));
        Assert.Null(children[0].GetTagItem(EvaluationTracing.ErrorTag));
        Assert.Equal("throws", children[1].GetTagItem(EvaluationTracing.PolicyTag));
        Assert.Equal("error-allowed", children[1].GetTagItem(EvaluationTracing.DecisionTag));
        Assert.Equal("error", children[1].GetTagItem(EvaluationTracing.ErrorTag));
        Assert.Equal(ActivityStatusCode.Error, children[1].Status);
        Assert.All(children, child => Assert.True(child.Duration > TimeSpan.Zero && child.Duration <= request.Duration));
    }

    [Fact]
    public async Task Validate_WithTraceparent_ContinuesTheCallersTrace()
    {
        using var spans = new Spans();
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel() });
        var uid = Guid.NewGuid().ToString();
        var caller = ActivityTraceId.CreateRandom();
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri("/validate/team-label", UriKind.Relative))
        {
            Content = new StringContent(Reviews.Pod(uid), System.Text.Encoding.UTF8, "application/json"),
        };
        message.Headers.Add("traceparent", $"00-{caller}-{ActivitySpanId.CreateRandom()}-01");

        using var answer = await server.Client.SendAsync(message);

        answer.EnsureSuccessStatusCode();
        var request = await spans.RequestAsync(uid); // the span ends after the answer is flushed
        Assert.Equal("POST /validate/{policy}", request.DisplayName);
        Assert.Equal(caller, request.TraceId);
        Assert.Single(spans.All, s => s.ParentSpanId == request.SpanId);
    }

    [Fact]
    public async Task Server_NoOtlpEndpoint_RegistersNoTracerProvider()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>());

        // The variable comes from the process environment; the test environment does not set it.
        Assert.Equal(
            !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PolicyGateTelemetry.OtlpEndpointVariable)),
            server.Services.GetService<TracerProvider>() is not null);
    }

    /// <summary>The stopped spans of PolicyGate's source, from every server in the process.</summary>
    private sealed class Spans : IDisposable
    {
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private readonly SemaphoreSlim _signal = new(0);
        private readonly ActivityListener _listener;

        public Spans()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == EvaluationTracing.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    _stopped.Enqueue(activity);
                    _signal.Release();
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IEnumerable<Activity> All => _stopped;

        /// <summary>The span of the request with <paramref name="uid"/>, once it has ended (its children end before it).</summary>
        public async Task<Activity> RequestAsync(string uid)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20)); // a hang guard only
            while (true)
            {
                if (_stopped.FirstOrDefault(s => uid.Equals(s.GetTagItem(AdmissionTracing.UidTag))) is { } found)
                {
                    Assert.Single(_stopped, s => uid.Equals(s.GetTagItem(AdmissionTracing.UidTag)));
                    return found;
                }

                await _signal.WaitAsync(deadline.Token);
            }
        }

        public void Dispose()
        {
            _listener.Dispose();
            _signal.Dispose();
        }
    }
}
