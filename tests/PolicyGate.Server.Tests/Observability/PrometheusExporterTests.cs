using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Tests.Observability;

public class PrometheusExporterTests
{
    [Fact]
    public void Render_CountersAndHistograms_InTextExpositionFormat()
    {
        using var metrics = new PolicyGateMetrics();
        using var exporter = new PrometheusExporter(metrics);

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
        using var exporterOne = new PrometheusExporter(one);
        using var exporterTwo = new PrometheusExporter(two);

        one.RecordReload(success: true);

        Assert.Contains("policygate_policy_reloads_total{result=\"success\"} 1", exporterOne.Render(), StringComparison.Ordinal);
        Assert.DoesNotContain("policygate_policy_reloads_total{", exporterTwo.Render(), StringComparison.Ordinal);
    }
}
