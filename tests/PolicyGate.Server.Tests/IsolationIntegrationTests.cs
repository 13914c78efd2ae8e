using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>
/// Policies in worker processes (issue 11): a tenant's AdmissionPolicy that crashes or hangs its worker fails only its
/// own requests, under its own failurePolicy; the server keeps answering, starts a new worker, logs and counts it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class IsolationIntegrationTests
{
    /// <summary>An AdmissionPolicy (so in a worker process by default) that overflows the stack on pods labelled crash=yes.</summary>
    private static string Crasher(string failurePolicy = "Fail") => $$"""
        apiVersion: policygate.io/v1
        kind: AdmissionPolicy
        metadata:
          name: crasher
          namespace: shop
        spec:
          failurePolicy: {{failurePolicy}}
          timeoutSeconds: 5
          rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]}]
          script: |
            if (Metadata?.Labels?.ContainsKey("crash") != true) return Allow();
            object chain = 0;
            for (var i = 0; i < 1_000_000; i++) chain = (chain, i);
            return chain.GetHashCode() == 42 ? Deny("unlikely") : Allow();
        """;

    [Fact]
    public async Task Validate_PolicyCrashesItsWorker_ItsRequestFailsAndEverythingElseGoesOn()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>
        {
            ["crasher.yaml"] = Crasher(),
            ["team.yaml"] = TestPolicyFiles.TeamLabel("v1"),
        });

        using var crashed = await server.PostAsync("/validate/shop/crasher", Reviews.Pod("crash-1", """{"crash":"yes"}"""));
        var answer = Reviews.Response(await crashed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, crashed.StatusCode);
        Assert.Equal("crash-1", (string?)answer["uid"]);
        Assert.False((bool)answer["allowed"]!);
        Assert.Contains("its worker process crashed (SIGABRT: a stack overflow", (string?)answer["status"]!["message"], StringComparison.Ordinal);

        // The server and its in-process policy go on; the tenant's policy gets a new worker for its next request.
        using var other = await server.PostAsync("/validate/team-label", Reviews.Pod("after-1", """{"team":"a"}"""));
        Assert.True((bool)Reviews.Response(await other.Content.ReadAsStringAsync())["allowed"]!);
        using var next = await server.PostAsync("/validate/shop/crasher", Reviews.Pod("after-2"));
        Assert.True((bool)Reviews.Response(await next.Content.ReadAsStringAsync())["allowed"]!);

        var policies = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray();
        var crasher = policies.Single(p => (string?)p!["name"] == "shop/crasher")!;
        Assert.Equal("process", (string?)crasher["isolation"]);
        // The crashing request was tried once more on a fresh worker (another request may have crashed the first), and
        // crashed that one too: two restarts.
        Assert.Equal(2, (int)crasher["worker"]!["restarts"]!);
        Assert.NotNull(crasher["worker"]!["processId"]);
        Assert.Contains("Stack overflow", (string?)crasher["worker"]!["lastFailure"], StringComparison.Ordinal);
        Assert.Equal("inProcess", (string?)policies.Single(p => (string?)p!["name"] == "team-label")!["isolation"]);

        var metrics = await server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("policygate_worker_restarts_total{policy=\"AdmissionPolicy/shop/crasher\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains(server.Logs, l => l.Contains("|1008|Warning|The worker process of policy AdmissionPolicy/shop/crasher stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_CrashUnderFailurePolicyIgnore_AllowedWithAWarning()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["crasher.yaml"] = Crasher("Ignore") });

        using var crashed = await server.PostAsync("/validate/shop/crasher", Reviews.Pod("crash-ignore", """{"crash":"yes"}"""));
        var answer = Reviews.Response(await crashed.Content.ReadAsStringAsync());

        Assert.True((bool)answer["allowed"]!);
        Assert.Contains(answer["warnings"]!.AsArray(), w => ((string?)w)!.Contains("worker process crashed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_WorkerKeepsCrashing_MarkedAndFailingAtOnceUntilTheNextTry()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["crasher.yaml"] = Crasher() });
        for (var i = 0; i < 5; i++)
        {
            using var crashed = await server.PostAsync("/validate/shop/crasher", Reviews.Pod($"loop-{i}", """{"crash":"yes"}"""));
            Assert.Contains("worker process crashed", (string?)Reviews.Response(await crashed.Content.ReadAsStringAsync())["status"]!["message"], StringComparison.Ordinal);
        }

        using var refused = await server.PostAsync("/validate/shop/crasher", Reviews.Pod("loop-refused"));

        var message = (string?)Reviews.Response(await refused.Content.ReadAsStringAsync())["status"]!["message"];
        Assert.Contains("its worker process keeps crashing (5 times in the last minute", message, StringComparison.Ordinal);
        var crasher = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray().Single()!;
        Assert.True((bool)crasher["worker"]!["crashLooping"]!);
    }

    [Fact]
    public async Task Serve_IsolationProcess_EveryPolicyRunsInAWorker()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("v1") }, isolateAll: true);

        using var denied = await server.PostAsync("/validate/team-label", Reviews.Pod("iso-1"));
        using var allowed = await server.PostAsync("/validate/team-label", Reviews.Pod("iso-2", """{"team":"a"}"""));

        Assert.Equal("policy team-label denied the request: v1: pods need a team label", (string?)Reviews.Response(await denied.Content.ReadAsStringAsync())["status"]!["message"]);
        Assert.True((bool)Reviews.Response(await allowed.Content.ReadAsStringAsync())["allowed"]!);
        var policy = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!["policies"]!.AsArray().Single()!;
        Assert.Equal("process", (string?)policy["isolation"]);
        Assert.Equal(0, (int)policy["worker"]!["restarts"]!);
    }
}
