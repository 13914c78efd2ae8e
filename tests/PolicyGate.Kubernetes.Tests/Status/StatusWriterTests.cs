using System.Text.Json.Nodes;
using k8s;
using PolicyGate.Kubernetes.Status;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Kubernetes.Watch;

namespace PolicyGate.Kubernetes.Tests.Status;

public sealed class StatusWriterTests : IAsyncDisposable
{
    private static readonly WatchedResource ClusterPolicies = new("policygate.io", "v1", "clusteradmissionpolicies", Namespaced: false);
    private static readonly WatchedResource Policies = new("policygate.io", "v1", "admissionpolicies", Namespaced: true);
    private const string ClusterPath = "/apis/policygate.io/v1/clusteradmissionpolicies/require-team";
    private const string NamespacedPath = "/apis/policygate.io/v1/namespaces/shop/admissionpolicies/no-latest";

    private readonly FakeApiServer _server = FakeApiServer.Start();
    private readonly k8s.Kubernetes _client;
    private readonly ListLogger _log = new();

    public StatusWriterTests() => _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task Writes_the_status_subresource_of_the_generation_it_describes()
    {
        _server.PutObject(ClusterPath, Policy("require-team", null, generation: 3));
        var writer = new StatusWriter(_client, TimeProvider.System, _log);

        var result = await writer.WriteAsync(ClusterPolicies, null, "require-team", 3, Status("True"), CancellationToken.None);

        Assert.Equal(StatusWriteResult.Written, result);
        var stored = _server.GetObject(ClusterPath)!;
        Assert.Equal("True", (string?)stored["status"]!["conditions"]![0]!["status"]);
        Assert.Equal(3, (long?)stored["status"]!["observedGeneration"]);
        Assert.Equal("Deny", (string?)stored["spec"]!["mode"]); // the spec is not touched
        var patch = Assert.Single(_server.Requests, r => r.Method == "PATCH");
        Assert.Equal(ClusterPath + "/status", patch.Path);
        Assert.NotNull(JsonNode.Parse(patch.Body!)!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task A_namespaced_policy_is_written_in_its_namespace()
    {
        _server.PutObject(NamespacedPath, Policy("no-latest", "shop", generation: 1));
        var writer = new StatusWriter(_client, TimeProvider.System, _log);

        Assert.Equal(StatusWriteResult.Written, await writer.WriteAsync(Policies, "shop", "no-latest", 1, Status("False"), CancellationToken.None));
        Assert.Equal("False", (string?)_server.GetObject(NamespacedPath)!["status"]!["conditions"]![0]!["status"]);
    }

    [Fact]
    public async Task A_status_for_an_older_generation_is_not_written()
    {
        _server.PutObject(ClusterPath, Policy("require-team", null, generation: 4));
        var writer = new StatusWriter(_client, TimeProvider.System, _log);

        Assert.Equal(StatusWriteResult.Outdated, await writer.WriteAsync(ClusterPolicies, null, "require-team", 3, Status("True"), CancellationToken.None));
        Assert.Null(_server.GetObject(ClusterPath)!["status"]);
        Assert.DoesNotContain(_server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task A_conflict_is_read_again_and_written()
    {
        _server.PutObject(ClusterPath, Policy("require-team", null, generation: 2));
        _server.FailNext("PATCH", ClusterPath, 409);
        var writer = new StatusWriter(_client, TimeProvider.System, _log);

        Assert.Equal(StatusWriteResult.Written, await writer.WriteAsync(ClusterPolicies, null, "require-team", 2, Status("True"), CancellationToken.None));
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "PATCH"));
        Assert.Equal(2, _server.Requests.Count(r => r.Method == "GET"));
    }

    [Fact]
    public async Task A_deleted_policy_is_gone()
    {
        var writer = new StatusWriter(_client, TimeProvider.System, _log);

        Assert.Equal(StatusWriteResult.Gone, await writer.WriteAsync(ClusterPolicies, null, "require-team", 1, Status("True"), CancellationToken.None));
    }

    private static JsonObject Policy(string name, string? ns, long generation) => new()
    {
        ["apiVersion"] = "policygate.io/v1",
        ["kind"] = ns is null ? "ClusterAdmissionPolicy" : "AdmissionPolicy",
        ["metadata"] = ns is null
            ? new JsonObject { ["name"] = name, ["generation"] = generation }
            : new JsonObject { ["name"] = name, ["namespace"] = ns, ["generation"] = generation },
        ["spec"] = new JsonObject { ["module"] = "builtin://required-labels", ["mode"] = "Deny" },
    };

    private static JsonObject Status(string ready) => new()
    {
        ["observedGeneration"] = 3,
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Ready",
            ["status"] = ready,
            ["lastTransitionTime"] = "2026-12-03T00:00:00Z",
            ["reason"] = ready == "True" ? "Loaded" : "LoadFailed",
            ["message"] = "m",
        }),
    };
}
