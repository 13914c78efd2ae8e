using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyGate.Core.Api.V1;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Tests;
using PolicyGate.Kubernetes.Tests.Events;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Policies;

namespace PolicyGate.Server.Tests.Policies;

/// <summary>
/// How long a <c>configmap://</c> module waits for its ConfigMap's first list, on the clock serve is given: the
/// API server refuses the first list (503, retry in 30 s), and the fake clock decides when the wait is over.
/// </summary>
public sealed class ConfigMapScriptsTests
{
    private const string ConfigMapsPath = "/api/v1/namespaces/policy-scripts/configmaps";

    private static readonly ConfigMapModule Module = new("policy-scripts", "team", "policy.csx");

    private readonly WatchedTimeProvider _time = new();

    [Fact]
    public async Task Read_OfAConfigMapNotListedYet_WaitsFirstReadWaitOnTheClock_ThenSaysItIsRetried()
    {
        await using var cluster = Cluster.WithTheFirstListRefused(_time);
        string? error = null;
        var read = Task.Run(() => cluster.Scripts.Read(Module, out error));

        await Eventually.TrueAsync(() => FirstReadWaits() == 1 && cluster.ListsOfTheConfigMap() == 1, "the read to wait for the refused list");
        Assert.False(read.IsCompleted);
        _time.Advance(ConfigMapScripts.FirstReadWait);

        Assert.Null(await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("ConfigMap policy-scripts/team could not be read yet (the API server has not answered its list); it is retried", error);
    }

    [Fact]
    public async Task PrepareAsync_Waits_ThenReadWithoutWaiting_AnswersAtOnce_AndReadsTheConfigMapOnceItIsListed()
    {
        await using var cluster = Cluster.WithTheFirstListRefused(_time);

        // /validate-policies: the handler waits on the request's flow, then its load reads without a second wait.
        var prepare = cluster.Scripts.PrepareAsync(Module, CancellationToken.None);
        // Both waits start before the clock moves: the preparation's, and the cache's retry after the 503.
        await Eventually.TrueAsync(() => FirstReadWaits() == 1 && RetryWaits() == 1, "the preparation and the cache's retry to wait");
        Assert.False(prepare.IsCompleted);
        _time.Advance(ConfigMapScripts.FirstReadWait);
        await prepare.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Null(cluster.Scripts.Read(Module, wait: false, out var error));
        Assert.Contains("could not be read yet", error, StringComparison.Ordinal);
        Assert.Equal(1, FirstReadWaits());

        // The list is retried 30 s after the 503 (25 s from now), and the same cache then has the script.
        cluster.Api.SetListFor(ConfigMapsPath, "30", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "team", ["namespace"] = "policy-scripts", ["resourceVersion"] = "30" },
            ["data"] = new JsonObject { ["policy.csx"] = "return Allow();" },
        });
        _time.Advance(TimeSpan.FromSeconds(25));
        await Eventually.TrueAsync(() => cluster.Scripts.Read(Module, wait: false, out _) is not null, "the ConfigMap to be listed");
        Assert.Equal("return Allow();", cluster.Scripts.Read(Module, wait: false, out error));
        Assert.Null(error);
        Assert.Equal(["policy-scripts/team"], cluster.Scripts.Watched);
    }

    private int FirstReadWaits() => _time.TimersSet.Count(t => t == ConfigMapScripts.FirstReadWait);

    /// <summary>The cache's waits before it lists again after the 503 (its Retry-After: 30 s).</summary>
    private int RetryWaits() => _time.TimersSet.Count(t => t == TimeSpan.FromSeconds(30));

    /// <summary>The loopback API server, a connection to it, and serve's ConfigMap reader on the fake clock.</summary>
    private sealed class Cluster : IAsyncDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("policygate-configmaps-").FullName;
        private readonly ClusterConnection _connection;

        private Cluster(TimeProvider time)
        {
            Api = FakeApiServer.Start();
            var kubeconfig = Path.Combine(_root, "config");
            FakeApiServer.WriteKubeconfig(kubeconfig, Api.Host);
            _connection = ClusterConnection.Connect(kubeconfig, null, allowInCluster: false)!;
            Scripts = new ConfigMapScripts(_connection, time, NullLoggerFactory.Instance);
        }

        public FakeApiServer Api { get; }

        public ConfigMapScripts Scripts { get; }

        public static Cluster WithTheFirstListRefused(TimeProvider time)
        {
            var cluster = new Cluster(time);
            cluster.Api.FailNextList(503, retryAfter: "30");
            return cluster;
        }

        public int ListsOfTheConfigMap() => Api.Requests.Count(r => r.Path == ConfigMapsPath && !r.IsWatch);

        public async ValueTask DisposeAsync()
        {
            await Scripts.DisposeAsync();
            _connection.Dispose();
            await Api.DisposeAsync();
            Directory.Delete(_root, recursive: true);
        }
    }
}
