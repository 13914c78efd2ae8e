using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class ObservabilityIntegrationTests
{
    [Fact]
    public async Task HealthReadyPolicies_ReportTheLoadedPolicies()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel() });

        Assert.Equal("ok\n", await server.Client.GetStringAsync(new Uri("/healthz", UriKind.Relative)));
        Assert.Equal("ready\n", await server.Client.GetStringAsync(new Uri("/readyz", UriKind.Relative)));
        var policy = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray().Single()!;
        Assert.Equal("team-label", (string?)policy["name"]);
        Assert.Equal("protect", (string?)policy["mode"]);
        Assert.Equal("ready", (string?)policy["state"]);
        Assert.Equal(64, ((string)policy["hash"]!).Length);
        Assert.EndsWith("team.yaml#1", (string?)policy["source"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountDecisionsLatencyErrorsAndReloads()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["team.yaml"] = TestPolicyFiles.TeamLabel(),
            ["throws.yaml"] = TestPolicyFiles.Inline("throws", "throw new InvalidOperationException(\"boom\");", extra: "  failurePolicy: Ignore"),
        });
        for (var i = 0; i < 3; i++)
        {
            using var denied = await server.PostAsync("/validate", Reviews.Pod($"m{i}"));
        }

        using var bad = await server.PostAsync("/validate", "not json");
        var metrics = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"team-label\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_requests_total{decision=\"error-allowed\",policy=\"throws\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_evaluation_errors_total{policy=\"throws\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_count{policy=\"team-label\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_duration_seconds_bucket{policy=\"team-label\",le=\"+Inf\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_http_requests_rejected_total{status=\"400\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_reloads_total{result=\"success\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE policygate_policy_compile_duration_seconds histogram", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_BeforeAnyPolicyLoaded_IsNotReady()
    {
        var registry = new PolicyGate.Core.Registry.PolicyRegistry();

        Assert.False(registry.IsReady);
        registry.Publish(PolicyGate.Core.Registry.PolicySnapshot.Empty);
        Assert.True(registry.IsReady);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Server_BadCertificateDirectory_FailsAtStartWithClearMessage()
    {
        var root = Directory.CreateTempSubdirectory("policygate-badcert-").FullName;
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => PolicyGate.Server.Hosting.PolicyGateServer.Create(new PolicyGate.Server.Hosting.PolicyGateServerOptions
            {
                PoliciesDirectory = root,
                CertificateDirectory = Path.Combine(root, "missing"),
                Address = "127.0.0.1",
                Port = 0,
            }));
            Assert.Contains("--cert-dir", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task Healthz_ServedOverHttp2()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>());
        using var client = server.CreateClient(version: HttpVersion.Version20);

        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpVersion.Version20, response.Version);
    }
}
