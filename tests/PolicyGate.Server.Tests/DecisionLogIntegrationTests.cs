using PolicyGate.Server.Observability;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary><c>--decision-log</c>: what a busy cluster's log holds by default (what changed or questioned a request),
/// and that the metrics count every decision whatever the log keeps.</summary>
[Trait("Category", "Integration")]
public sealed class DecisionLogIntegrationTests
{
    private static async Task<(List<string> Lines, string Metrics)> RunAsync(DecisionLogMode mode)
    {
        await using var server = await RunningServer.StartAsync(
            new Dictionary<string, string>
            {
                ["team.yaml"] = TestPolicyFiles.Inline("team-label", """return Metadata?.Labels?.ContainsKey("team") == true ? Allow() : Deny("pods need a team label");"""),
            },
            configure: o => o.DecisionLog = mode);
        using (await server.PostAsync("/validate/team-label", Reviews.Pod("uid-allowed", """{"team":"a"}""")))
        using (await server.PostAsync("/validate/team-label", Reviews.Pod("uid-denied")))
        {
        }

        var metrics = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return ([.. server.Logs.Where(l => l.Contains("|1010|", StringComparison.Ordinal))], metrics);
    }

    [Fact]
    public async Task Changes_LogsTheDenial_NotThePlainAllow()
    {
        var (lines, metrics) = await RunAsync(DecisionLogMode.Changes);

        Assert.Contains(lines, l => l.Contains("Decision denied by team-label for uid-denied", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("uid-allowed", StringComparison.Ordinal));
        Assert.Contains("policygate_admission_requests_total{decision=\"allowed\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_LogsEveryDecision_None_LogsNone()
    {
        var (all, _) = await RunAsync(DecisionLogMode.All);
        Assert.Contains(all, l => l.Contains("Decision allowed by team-label for uid-allowed", StringComparison.Ordinal));
        Assert.Contains(all, l => l.Contains("Decision denied by team-label for uid-denied", StringComparison.Ordinal));

        var (none, metrics) = await RunAsync(DecisionLogMode.None);
        Assert.Empty(none);
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
    }
}
