using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests.Observability;

public class PolicyGateTelemetryTests
{
    [Fact]
    public void Render_CountersAndHistograms_InTextExpositionFormat()
    {
        using var metrics = new PolicyGateMetrics();
        using var exporter = new MetricsScrape(metrics);

        metrics.RecordDecision("p\"1", "denied", TimeSpan.FromMilliseconds(0.3));
        metrics.RecordDecision("p\"1", "denied", TimeSpan.FromMilliseconds(30));
        var text = exporter.Render();

        Assert.Contains("# TYPE policygate_admission_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"p\\\"1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE policygate_admission_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\\\"1\",le=\"0.0005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\\\"1\",le=\"0.05\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_count{policy=\"p\\\"1\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_sum{policy=\"p\\\"1\"} 0.0303", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TwoServersInOneProcess_DoNotMixFigures()
    {
        using var one = new PolicyGateMetrics();
        using var two = new PolicyGateMetrics();
        using var exporterOne = new MetricsScrape(one);
        using var exporterTwo = new MetricsScrape(two);

        one.RecordReload(success: true);

        Assert.Contains("policygate_policy_reloads_total{result=\"success\"} 1", exporterOne.Render(), StringComparison.Ordinal);
        Assert.DoesNotContain("policygate_policy_reloads_total{", exporterTwo.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AllInstruments_KeepTheirPrometheusNamesAndLabels()
    {
        using var metrics = new PolicyGateMetrics();
        using var exporter = new MetricsScrape(metrics);

        metrics.RecordDecision("p", "allowed", TimeSpan.FromMilliseconds(1));
        metrics.RecordError("p", timedOut: false);
        metrics.RecordError("p", timedOut: true);
        metrics.RecordReload(success: false);
        metrics.RecordCompile(TimeSpan.FromSeconds(0.2), 3);
        metrics.RecordRejected(413);
        metrics.RecordWorkerRestart("AdmissionPolicy/shop/crasher");
        metrics.ObserveEvents(() => [("created", 4), ("dropped", 1)]);
        var text = exporter.Render();

        // The exact series of the hand-written exporter this replaced: no unit or _total suffix added, no scope
        // labels, no target_info, no timestamps.
        Assert.Contains("policygate_admission_requests_total{decision=\"allowed\",policy=\"p\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\",le=\"0.001\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\",le=\"0.0001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\",le=\"10\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\",le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_evaluation_errors_total{policy=\"p\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_evaluation_timeouts_total{policy=\"p\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_reloads_total{result=\"error\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_compile_duration_seconds_bucket{scripts=\"3\",le=\"0.25\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_compile_duration_seconds_count{scripts=\"3\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_http_requests_rejected_total{status=\"413\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_worker_restarts_total{policy=\"AdmissionPolicy/shop/crasher\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_events_total{outcome=\"created\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("policygate_events_total{outcome=\"dropped\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE policygate_events_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE policygate_policy_compile_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
        Assert.DoesNotContain("target_info", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_seconds_seconds", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_total_total", text, StringComparison.Ordinal);
        var series = text.Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        Assert.All(series, line => Assert.StartsWith("policygate_", line, StringComparison.Ordinal));
        Assert.All(series, line => Assert.Single(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' '))); // a value, no timestamp
    }

    [Theory]
    [InlineData("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")]
    [InlineData("application/openmetrics-text;version=1.0.0")]
    [InlineData("text/plain;version=0.0.4")]
    public void Render_AsPrometheusAsks_SameSeriesNames(string accept)
    {
        using var metrics = new PolicyGateMetrics();
        using var exporter = new MetricsScrape(metrics);

        metrics.RecordDecision("p", "denied", TimeSpan.FromMilliseconds(1));
        metrics.RecordReload(success: true);
        var (contentType, text) = exporter.Scrape(accept);

        Assert.False(string.IsNullOrEmpty(contentType));
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"p\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"p\",le=\"0.001\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_reloads_total{result=\"success\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("_total_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain("otel_scope", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPolicyGateTelemetry_NoOtlpEndpoint_RegistersNoTracerProvider()
    {
        using var services = Services([]);

        Assert.Null(services.GetService<TracerProvider>());
    }

    [Fact]
    public void AddPolicyGateTelemetry_OtlpEndpoint_RegistersTracerProvider()
    {
        using var services = Services(new() { [PolicyGateTelemetry.OtlpEndpointVariable] = "http://127.0.0.1:4317" });

        Assert.NotNull(services.GetService<TracerProvider>());
    }

    [Fact]
    public void Variables_KeepsOnlyOpenTelemetrysOwn()
    {
        var variables = PolicyGateTelemetry.Variables(new System.Collections.Hashtable
        {
            [PolicyGateTelemetry.OtlpEndpointVariable] = "http://127.0.0.1:4318",
            [PolicyGateTelemetry.ServiceNameVariable] = "gate",
            ["HOME"] = "/root",
        });

        Assert.Equal(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"], variables.Keys.Order(StringComparer.Ordinal));
    }

    private static ServiceProvider Services(Dictionary<string, string?> variables)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(variables).Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<PolicyGateMetrics>()
            .AddPolicyGateTelemetry(configuration)
            .BuildServiceProvider();
    }
}
