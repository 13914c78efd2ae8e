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

        var denied = Assert.Single(lines, l => l.Contains("Request uid-denied ", StringComparison.Ordinal));
        Assert.Contains("Request uid-denied CREATE Pod shop/web denied in ", denied, StringComparison.Ordinal);
        Assert.Contains(": team-label denied in ", denied, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Contains("uid-allowed", StringComparison.Ordinal));
        Assert.Contains("policygate_admission_requests_total{decision=\"allowed\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_LogsEveryDecision_None_LogsNone()
    {
        var (all, _) = await RunAsync(DecisionLogMode.All);
        Assert.Contains(all, l => l.Contains("Request uid-allowed CREATE Pod shop/web allowed in ", StringComparison.Ordinal) && l.Contains(": team-label allowed in ", StringComparison.Ordinal));
        Assert.Contains(all, l => l.Contains("Request uid-denied CREATE Pod shop/web denied in ", StringComparison.Ordinal) && l.Contains(": team-label denied in ", StringComparison.Ordinal));

        var (none, metrics) = await RunAsync(DecisionLogMode.None);
        Assert.Empty(none);
        Assert.Contains("policygate_admission_requests_total{decision=\"denied\",policy=\"team-label\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_OneLinePerRequest_NamingWhatDeniedAndCountingTheAllows()
    {
        await using var server = await RunningServer.StartAsync(
            new Dictionary<string, string>
            {
                ["team.yaml"] = TestPolicyFiles.Inline("team-label", """return Metadata?.Labels?.ContainsKey("team") == true ? Allow() : Deny("pods need a team label");"""),
                ["open.yaml"] = TestPolicyFiles.Inline("open", "return Allow();"),
                ["open2.yaml"] = TestPolicyFiles.Inline("open-too", "return Allow();"),
            },
            configure: o => o.DecisionLog = DecisionLogMode.Changes);
        using (await server.PostAsync("/validate", Reviews.Pod("uid-three")))
        {
        }

        var line = Assert.Single(server.Logs, l => l.Contains("|1010|", StringComparison.Ordinal) && l.Contains("uid-three", StringComparison.Ordinal));
        Assert.Contains("Request uid-three CREATE Pod shop/web denied in ", line, StringComparison.Ordinal);
        Assert.Contains(": team-label denied in ", line, StringComparison.Ordinal);
        Assert.EndsWith(" ms; 2 more allowed", line, StringComparison.Ordinal);
        Assert.DoesNotContain("open", line, StringComparison.Ordinal);
    }
}
