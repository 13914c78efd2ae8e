using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Tests.TestSupport;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PolicyGate.Server.Tests;

/// <summary>
/// serve with a kubeconfig: every denial becomes events.k8s.io/v1 Events, one about the Pod and one about the policy,
/// written to an API server on 127.0.0.1 (WireMock); allowed and dryRun requests write none; /metrics counts them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EventsIntegrationTests : IDisposable
{
    private const string EventsPath = "/apis/events.k8s.io/v1/namespaces/*/events";

    private readonly WireMockServer _api = WireMockServer.Start();
    private readonly string _kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("policygate-events-").FullName, "config");

    public EventsIntegrationTests()
    {
        // The API server keeps what it is sent and answers with it, as a create does.
        _api.Given(Request.Create().WithPath(EventsPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("{{{request.body}}}").WithTransformer());
        FakeApiServer.WriteKubeconfig(_kubeconfig, _api.Url!, "webhook-token");
    }

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    private Task<RunningServer> StartAsync() => RunningServer.StartAsync(
        new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel("v1") },
        configure: o =>
        {
            o.Kubeconfig = _kubeconfig;
            o.PodName = "policygate-0";
        });

    private List<JsonNode> Posted() =>
        _api.LogEntries.Where(e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path.StartsWith("/apis/events.k8s.io/", StringComparison.Ordinal)).Select(e => JsonNode.Parse(e.RequestMessage.Body!)!).ToList();

    private static string Metrics(RunningServer server) => server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult();

    [Fact]
    public async Task Denial_TwoWarningEvents_AboutThePodAndAboutThePolicy()
    {
        await using var server = await StartAsync();

        using var response = await server.PostAsync("/validate", Reviews.Pod("uid-1"));

        Assert.False((bool)Reviews.Response(await response.Content.ReadAsStringAsync())["allowed"]!);
        await server.WaitUntilAsync(() => Posted().Count == 2, "two Events posted to the API server");
        var events = Posted();
        var aboutPod = Assert.Single(events, e => (string?)e["regarding"]!["kind"] == "Pod");
        Assert.Equal("shop", (string?)aboutPod["metadata"]!["namespace"]);
        Assert.Equal("web", (string?)aboutPod["regarding"]!["name"]);
        Assert.Equal("Warning", (string?)aboutPod["type"]);
        Assert.Equal("PolicyViolation", (string?)aboutPod["reason"]);
        Assert.Equal("Denied", (string?)aboutPod["action"]);
        Assert.Equal("v1: pods need a team label", (string?)aboutPod["note"]);
        Assert.Equal("policygate.io/webhook", (string?)aboutPod["reportingController"]);
        Assert.Equal("policygate-0", (string?)aboutPod["reportingInstance"]);
        Assert.Equal("ClusterAdmissionPolicy", (string?)aboutPod["related"]!["kind"]);
        Assert.Equal("team-label", (string?)aboutPod["related"]!["name"]);

        var aboutPolicy = Assert.Single(events, e => (string?)e["regarding"]!["kind"] == "ClusterAdmissionPolicy");
        Assert.Equal("default", (string?)aboutPolicy["metadata"]!["namespace"]);
        Assert.Equal("policygate.io/v1", (string?)aboutPolicy["regarding"]!["apiVersion"]);
        Assert.Equal("Pod shop/web: v1: pods need a team label", (string?)aboutPolicy["note"]);
        Assert.Equal("Bearer webhook-token", _api.LogEntries[0].RequestMessage.Headers!["Authorization"].Single());

        // Counted once the API server's answers are read, a moment after they were logged there.
        await server.WaitUntilAsync(() => Metrics(server).Contains("policygate_events_total{outcome=\"created\"} 2", StringComparison.Ordinal), "two created Events counted");
    }

    [Fact]
    public async Task AllowedAndDryRunRequests_NoEvents()
    {
        await using var server = await StartAsync();

        using (var allowed = await server.PostAsync("/validate", Reviews.Pod("uid-2", labelsJson: """{"team":"web"}""")))
        {
            Assert.True((bool)Reviews.Response(await allowed.Content.ReadAsStringAsync())["allowed"]!);
        }

        using (var dryRun = await server.PostAsync("/validate", Reviews.Pod("uid-3", dryRun: true)))
        {
            Assert.False((bool)Reviews.Response(await dryRun.Content.ReadAsStringAsync())["allowed"]!);
        }

        // A real denial after them: once its Events are in, the two before would have been too.
        using (var denied = await server.PostAsync("/validate", Reviews.Pod("uid-4")))
        {
            Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        }

        await server.WaitUntilAsync(() => Posted().Count >= 2, "the denial's Events");
        Assert.Equal(2, Posted().Count);
    }

    [Fact]
    public async Task ApiServerDown_AnswersAreUnchangedAndTheFailureIsCounted()
    {
        _api.Reset();
        _api.Given(Request.Create().WithPath(EventsPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(400).WithBody("""{"kind":"Status","message":"no"}"""));
        await using var server = await StartAsync();

        using var response = await server.PostAsync("/validate", Reviews.Pod("uid-5"));

        Assert.False((bool)Reviews.Response(await response.Content.ReadAsStringAsync())["allowed"]!);
        await server.WaitUntilAsync(() => Metrics(server).Contains("policygate_events_total{outcome=\"failed\"} 2", StringComparison.Ordinal), "two failed Events counted");
    }
}
