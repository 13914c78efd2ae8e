using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using PolicyGate.Kubernetes.Registration;
using PolicyGate.Kubernetes.Tests.Watch;

namespace PolicyGate.Kubernetes.Tests.Registration;

public sealed class WebhookConfigurationWriterTests : IAsyncDisposable
{
    private const string ValidatingPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/policygate";
    private const string MutatingPath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/policygate";

    private readonly FakeApiServer _server = FakeApiServer.Start();
    private readonly k8s.Kubernetes _client;
    private readonly ListLogger _log = new();

    public WebhookConfigurationWriterTests() => _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task Creates_a_missing_configuration_then_writes_only_when_it_changes()
    {
        var writer = Writer();

        Assert.True(await writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None));
        var created = _server.GetObject(ValidatingPath)!;
        Assert.Equal("pods.policygate.io", (string?)created["webhooks"]![0]!["name"]);
        Assert.Equal("Q0E=", (string?)created["webhooks"]![0]!["clientConfig"]!["caBundle"]);

        Assert.False(await writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None));
        Assert.Single(_server.Requests, r => r.Method is "POST" or "PUT");

        Assert.True(await writer.ApplyAsync(Validating("deployments.policygate.io"), CancellationToken.None));
        Assert.Equal("deployments.policygate.io", (string?)_server.GetObject(ValidatingPath)!["webhooks"]![0]!["name"]);
        Assert.Single(_server.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task A_configuration_someone_else_changed_is_written_back()
    {
        var writer = Writer();
        await writer.ApplyAsync(Mutating("pods.policygate.io"), CancellationToken.None);
        var edited = _server.GetObject(MutatingPath)!;
        edited["webhooks"] = new JsonArray();
        _server.PutObject(MutatingPath, edited);

        Assert.True(await writer.ApplyAsync(Mutating("pods.policygate.io"), CancellationToken.None));
        Assert.Equal("pods.policygate.io", (string?)_server.GetObject(MutatingPath)!["webhooks"]![0]!["name"]);
    }

    [Fact]
    public async Task A_conflict_is_read_again_and_written()
    {
        var writer = Writer();
        await writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None);
        _server.FailNext("PUT", ValidatingPath, 409);

        Assert.True(await writer.ApplyAsync(Validating("jobs.policygate.io"), CancellationToken.None));
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal("jobs.policygate.io", (string?)_server.GetObject(ValidatingPath)!["webhooks"]![0]!["name"]);
        Assert.Contains(_log.Lines, l => l.Message.Contains("conflict 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after_and_server_errors_are_retried()
    {
        var writer = Writer();
        _server.FailNext("GET", ValidatingPath, 429, retryAfter: "1");
        _server.FailNext("POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", 500);

        Assert.True(await writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None));
        var gets = _server.Requests.Where(r => r.Path == ValidatingPath && r.Method == "GET").ToList();
        Assert.True(gets.Count >= 2);
        var waited = TimeSpan.FromSeconds((gets[1].Timestamp - gets[0].Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency);
        Assert.True(waited >= TimeSpan.FromMilliseconds(900), $"retried after {waited}, Retry-After asked 1 s");
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "POST"));
        Assert.NotNull(_server.GetObject(ValidatingPath));
    }

    [Fact]
    public async Task Unauthorized_is_not_retried_and_says_why()
    {
        var writer = Writer();
        _server.FailNext("GET", ValidatingPath, 401);

        var error = await Assert.ThrowsAsync<HttpOperationException>(() => writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.Response.StatusCode);
        Assert.Single(_server.Requests);
        Assert.Equal("401 fake failure 401", ApiErrors.Describe(error));
    }

    [Fact]
    public async Task A_slow_answer_times_out_and_is_tried_again()
    {
        var writer = new WebhookConfigurationWriter(_client, TimeProvider.System, _log, requestTimeout: TimeSpan.FromMilliseconds(300));
        _server.DelayNext("GET", ValidatingPath, TimeSpan.FromSeconds(3));

        Assert.True(await writer.ApplyAsync(Validating("pods.policygate.io"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, _server.Requests.Count(r => r.Path == ValidatingPath && r.Method == "GET"));
    }

    private WebhookConfigurationWriter Writer() => new(_client, TimeProvider.System, _log);

    private static JsonObject Validating(string webhook) => Configuration(WebhookConfigurationWriter.ValidatingKind, webhook);

    private static JsonObject Mutating(string webhook) => Configuration(WebhookConfigurationWriter.MutatingKind, webhook);

    private static JsonObject Configuration(string kind, string webhook) => new()
    {
        ["apiVersion"] = "admissionregistration.k8s.io/v1",
        ["kind"] = kind,
        ["metadata"] = new JsonObject { ["name"] = "policygate" },
        ["webhooks"] = new JsonArray(new JsonObject
        {
            ["name"] = webhook,
            ["clientConfig"] = new JsonObject
            {
                ["service"] = new JsonObject { ["name"] = "policygate", ["namespace"] = "policygate", ["path"] = "/validate/x", ["port"] = 8443 },
                ["caBundle"] = "Q0E=",
            },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray("CREATE"),
                ["apiGroups"] = new JsonArray(""),
                ["apiVersions"] = new JsonArray("v1"),
                ["resources"] = new JsonArray("pods"),
            }),
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
        }),
    };
}
