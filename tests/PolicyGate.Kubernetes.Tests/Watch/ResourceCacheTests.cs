using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using PolicyGate.Kubernetes.Watch;

namespace PolicyGate.Kubernetes.Tests.Watch;

/// <summary>The cache against <see cref="FakeApiServer"/>, through a real <see cref="k8s.Kubernetes"/> client, on real
/// time with short back-offs.</summary>
public sealed class ResourceCacheTests : IAsyncDisposable
{
    private static readonly WatchedResource ClusterPolicies = new("policygate.io", "v1", "clusteradmissionpolicies", Namespaced: false);
    private static readonly WatchedResource Policies = new("policygate.io", "v1", "admissionpolicies", Namespaced: true);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly FakeApiServer _server;
    private readonly k8s.Kubernetes _client;
    private readonly List<ResourceCache> _caches = [];
    private readonly ListLogger _log = new();

    public ResourceCacheTests()
    {
        _server = FakeApiServer.Start();
        _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host });
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var cache in _caches)
        {
            await cache.DisposeAsync();
        }

        await _server.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task First_list_fills_the_snapshot_and_completes_sync_then_the_watch_starts_from_its_resource_version()
    {
        _server.SetList("100", Policy("p1", "10", "team-a"), Policy("p2", "11", "team-b"));
        var cache = NewCache(Policies);
        Assert.False(cache.Synced);

        cache.Start();
        await cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);

        Assert.True(cache.Synced);
        Assert.Equal(["team-a/p1", "team-b/p2"], cache.Snapshot.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("deny", (string?)cache.Snapshot["team-a/p1"]["spec"]!["action"]);
        Assert.Equal(1, (int?)cache.Snapshot["team-b/p2"]["metadata"]!["generation"]);
        Assert.Equal("100", cache.ResourceVersion);
        Assert.Equal(1, cache.Counts.Lists);

        var watch = await _server.NextWatchAsync();
        Assert.Equal("/apis/policygate.io/v1/admissionpolicies", watch.Request.Path);
        Assert.Equal("100", watch.Request.ResourceVersion);
        Assert.Equal("true", watch.Request.Query["allowWatchBookmarks"]);
        Assert.Equal("300", watch.Request.Query["timeoutSeconds"]);
        Assert.Equal("/apis/policygate.io/v1/admissionpolicies", _server.Requests[0].Path);
        Assert.False(_server.Requests[0].IsWatch);
    }

    [Fact]
    public async Task Added_modified_and_deleted_events_update_the_snapshot_and_raise_changed()
    {
        _server.SetList("10");
        var cache = NewCache(ClusterPolicies);
        var changes = Channel.CreateUnbounded<IReadOnlyDictionary<string, JsonObject>>();
        cache.Changed += () => changes.Writer.TryWrite(cache.Snapshot);
        cache.Start();
        var watch = await _server.NextWatchAsync();

        await watch.SendAsync("ADDED", Policy("p1", "11", action: "deny"));
        var afterAdd = await changes.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("deny", (string?)afterAdd["p1"]["spec"]!["action"]);

        await watch.SendAsync("MODIFIED", Policy("p1", "12", action: "warn", generation: 2));
        var afterModify = await changes.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal("warn", (string?)afterModify["p1"]["spec"]!["action"]);
        Assert.Equal(2, (int?)afterModify["p1"]["metadata"]!["generation"]);
        Assert.Equal("deny", (string?)afterAdd["p1"]["spec"]!["action"]); // an earlier snapshot does not change

        await watch.SendAsync("DELETED", Policy("p1", "13", action: "warn", generation: 2));
        var afterDelete = await changes.Reader.ReadAsync().AsTask().WaitAsync(Deadline);
        Assert.Empty(afterDelete);
        Assert.Equal("13", cache.ResourceVersion);
        Assert.Equal(3, cache.Counts.Events);
        Assert.False(changes.Reader.TryRead(out _));
    }

    [Fact]
    public async Task A_dropped_connection_resumes_the_watch_from_the_last_resource_version_moved_by_a_bookmark()
    {
        _server.SetList("10");
        var cache = NewCache(ClusterPolicies);
        cache.Start();
        var first = await _server.NextWatchAsync();
        await first.SendAsync("ADDED", Policy("p1", "11"));
        await first.BookmarkAsync("20");
        await Eventually.TrueAsync(() => cache.ResourceVersion == "20");
        Assert.Single(cache.Snapshot); // a bookmark changes nothing else

        first.Abort();
        var second = await _server.NextWatchAsync();

        Assert.Equal("20", second.Request.ResourceVersion);
        Assert.Equal(1, cache.Counts.Lists);
        Assert.Equal(1, cache.Counts.WatchRestarts);
        Assert.True(1 == cache.Counts.Errors, string.Join("\n", _log.Lines));
        Assert.True(cache.Snapshot.ContainsKey("p1"));

        await second.SendAsync("ADDED", Policy("p2", "21"));
        await Eventually.TrueAsync(() => cache.Snapshot.ContainsKey("p2"));
        Assert.Equal("21", cache.ResourceVersion);
    }

    [Fact]
    public async Task A_watch_that_ends_normally_is_followed_by_another_from_the_last_resource_version_without_a_list()
    {
        _server.SetList("10");
        var cache = NewCache(ClusterPolicies);
        cache.Start();
        var first = await _server.NextWatchAsync();
        await first.SendAsync("ADDED", Policy("p1", "11"));
        first.End();

        var second = await _server.NextWatchAsync();

        Assert.Equal("11", second.Request.ResourceVersion);
        Assert.Equal(1, cache.Counts.Lists);
        Assert.Equal(1, cache.Counts.WatchRestarts);
        Assert.Equal(0, cache.Counts.Errors);
    }

    [Fact]
    public async Task A_410_reply_to_the_watch_relists_and_objects_deleted_meanwhile_vanish()
    {
        _server.SetList("10", Policy("p1", "5"), Policy("p2", "6"));
        var cache = NewCache(ClusterPolicies);
        var changed = 0;
        cache.Changed += () => Interlocked.Increment(ref changed);
        cache.Start();
        var first = await _server.NextWatchAsync();
        await first.SendAsync("ADDED", Policy("p3", "11"));
        await Eventually.TrueAsync(() => cache.Snapshot.Count == 3);

        // While the cache is away, p2 and p3 are deleted, p1 changes and p4 appears; the history is compacted.
        _server.SetList("30", Policy("p1", "25", action: "warn"), Policy("p4", "26"));
        _server.FailNextWatch(410);
        first.Abort();

        var next = await _server.NextWatchAsync();
        Assert.Equal("30", next.Request.ResourceVersion);
        Assert.Equal(["p1", "p4"], cache.Snapshot.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("warn", (string?)cache.Snapshot["p1"]["spec"]!["action"]);
        Assert.Equal(2, cache.Counts.Lists);
        Assert.Equal(1, cache.Counts.Relists);
        Assert.Equal(3, Volatile.Read(ref changed)); // first list, ADDED p3, the re-list
        var requests = _server.Requests;
        Assert.Equal([false, true, true, false, true], requests.Select(r => r.IsWatch));
    }

    [Fact]
    public async Task An_error_event_with_status_410_relists()
    {
        _server.SetList("10", Policy("p1", "5"));
        var cache = NewCache(ClusterPolicies);
        cache.Start();
        var first = await _server.NextWatchAsync();

        _server.SetList("40", Policy("p9", "39"));
        await first.ErrorAsync(410);

        var next = await _server.NextWatchAsync();
        Assert.Equal("40", next.Request.ResourceVersion);
        Assert.Equal(["p9"], cache.Snapshot.Keys);
        Assert.Equal(1, cache.Counts.Relists);
        Assert.Equal(0, cache.Counts.Errors);
    }

    [Fact]
    public async Task A_relist_that_finds_nothing_changed_raises_nothing_and_keeps_the_snapshot()
    {
        _server.SetList("10", Policy("p1", "5"));
        var cache = NewCache(ClusterPolicies);
        var changed = 0;
        cache.Changed += () => Interlocked.Increment(ref changed);
        cache.Start();
        var first = await _server.NextWatchAsync();
        var before = cache.Snapshot;

        _server.SetList("50", Policy("p1", "5"));
        await first.ErrorAsync(410);

        var next = await _server.NextWatchAsync();
        Assert.Equal("50", next.Request.ResourceVersion);
        Assert.Same(before, cache.Snapshot);
        Assert.Equal(1, Volatile.Read(ref changed));
    }

    [Fact]
    public async Task Server_errors_on_list_and_watch_back_off_and_recover_without_losing_the_place()
    {
        _server.SetList("10", Policy("p1", "5"));
        _server.FailNextList(500);
        _server.FailNextWatch(500);
        _server.FailNextWatch(503);
        var cache = NewCache(ClusterPolicies);
        cache.Start();

        await cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);
        var watch = await _server.NextWatchAsync();

        Assert.Equal("10", watch.Request.ResourceVersion);
        Assert.Equal(3, cache.Counts.Errors);
        Assert.Equal(1, cache.Counts.Lists);
        Assert.Equal([false, false, true, true, true], _server.Requests.Select(r => r.IsWatch));
        Assert.All(_server.Requests.Where(r => r.IsWatch), r => Assert.Equal("10", r.ResourceVersion));
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_retry_after()
    {
        _server.SetList("10");
        _server.FailNextWatch(429, retryAfter: "1");
        var cache = NewCache(ClusterPolicies); // back-off alone would retry after 20-30 ms
        cache.Start();

        var watch = await _server.NextWatchAsync();

        var watches = _server.Requests.Where(r => r.IsWatch).ToList();
        Assert.Equal(2, watches.Count);
        var waited = Stopwatch.GetElapsedTime(watches[0].Timestamp, watches[1].Timestamp);
        Assert.True(waited >= TimeSpan.FromMilliseconds(950), $"retried after {waited}");
        Assert.Equal("10", watch.Request.ResourceVersion);
        Assert.Equal(1, cache.Counts.Errors);
    }

    [Fact]
    public async Task Dispose_closes_the_watch_and_no_request_follows()
    {
        _server.SetList("10");
        var cache = NewCache(ClusterPolicies);
        cache.Start();
        await _server.NextWatchAsync();

        await cache.DisposeAsync().AsTask().WaitAsync(Deadline);
        var seen = _server.Requests.Count;
        await Task.Delay(300); // several back-off periods: a live loop would have sent another request by now

        Assert.Equal(seen, _server.Requests.Count);
        Assert.Equal(2, seen);
    }

    [Fact]
    public async Task Dispose_during_back_off_returns_at_once_and_cancels_waiting_for_sync()
    {
        _server.FailNextList(500);
        var cache = NewCache(ClusterPolicies, new ResourceCacheOptions { MinBackoff = TimeSpan.FromMinutes(5), MaxBackoff = TimeSpan.FromMinutes(5) });
        cache.Start();
        await Eventually.TrueAsync(() => cache.Counts.Errors == 1);
        var sync = cache.WaitForSyncAsync(CancellationToken.None);

        await cache.DisposeAsync().AsTask().WaitAsync(Deadline);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sync.WaitAsync(Deadline));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_type_the_server_does_not_serve_is_synced_empty_and_its_objects_arrive_once_it_does()
    {
        _server.FailNextList(404);
        var cache = NewCache(ClusterPolicies);
        cache.Start();

        await cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);
        Assert.Empty(cache.Snapshot);
        Assert.Contains(_log.Lines, l => l.Message.Contains("does not serve", StringComparison.Ordinal));

        var watch = await _server.NextWatchAsync();
        await watch.SendAsync("ADDED", Policy("p1", "5"));
        await Eventually.TrueAsync(() => cache.Snapshot.ContainsKey("p1"));
    }

    [Fact]
    public async Task Namespaces_are_listed_and_watched_through_the_core_api_with_their_labels()
    {
        static JsonObject Namespace(string name, string resourceVersion, string team) => new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["resourceVersion"] = resourceVersion, ["labels"] = new JsonObject { ["team"] = team } },
        };
        _server.SetListFor("/api/v1/namespaces", "30", Namespace("shop", "29", "web"));
        var cache = NewCache(WatchedResource.Namespaces);
        cache.Start();

        await cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal("web", (string?)cache.Snapshot["shop"]["metadata"]!["labels"]!["team"]);
        var watch = await _server.NextWatchAsync();
        Assert.Equal("/api/v1/namespaces", watch.Request.Path);
        Assert.Equal("30", watch.Request.ResourceVersion);

        await watch.SendAsync("MODIFIED", Namespace("shop", "31", "payments"));
        await Eventually.TrueAsync(() => (string?)cache.Snapshot["shop"]["metadata"]!["labels"]!["team"] == "payments");
        Assert.Equal("31", cache.ResourceVersion);
    }

    private ResourceCache NewCache(WatchedResource resource, ResourceCacheOptions? options = null)
    {
        var cache = new ResourceCache(_client, resource,
            options ?? new ResourceCacheOptions { MinBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromSeconds(5) },
            TimeProvider.System, _log);
        _caches.Add(cache);
        return cache;
    }

    private static JsonObject Policy(string name, string resourceVersion, string? ns = null, string action = "deny", int generation = 1)
    {
        var metadata = new JsonObject { ["name"] = name, ["resourceVersion"] = resourceVersion, ["generation"] = generation };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject
        {
            ["apiVersion"] = "policygate.io/v1",
            ["kind"] = ns is null ? "ClusterAdmissionPolicy" : "AdmissionPolicy",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["action"] = action },
        };
    }
}
