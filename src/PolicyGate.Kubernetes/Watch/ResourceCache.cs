using System.Collections.Immutable;
using System.Net;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Watch;

/// <summary>
/// Keeps an up-to-date copy of every object of one resource type in the cluster (the informer pattern: list, then
/// watch from the list's resourceVersion), so the server can read policies without asking the API server on each
/// request and hot-reload them when they change.
/// </summary>
/// <remarks>
/// <para><b>Loop.</b> <see cref="Start"/> runs one background loop until <see cref="DisposeAsync"/>: list
/// (<c>GET /apis/{group}/{version}/{plural}</c>), replace <see cref="Snapshot"/> and remember the list's
/// resourceVersion; then watch from it with bookmarks and <see cref="ResourceCacheOptions.WatchTimeout"/>, applying
/// ADDED, MODIFIED and DELETED to the snapshot and moving <see cref="ResourceVersion"/> on with every event and
/// BOOKMARK. A watch that ends normally is followed by another from the last resourceVersion, without a list.</para>
/// <para><b>410 Gone.</b> When the server no longer has history back to our resourceVersion (a 410 reply to the watch
/// request, or an ERROR event carrying a Status with code 410), events may have been missed: the cache lists again and
/// the snapshot becomes exactly the listed objects, so objects deleted meanwhile vanish.</para>
/// <para><b>Failures.</b> A dropped connection, a 5xx, a 429, a timeout or an unexpected reply is logged, counted in
/// <see cref="ResourceCacheCounts.Errors"/> and followed, after an exponential back-off with jitter (or the server's
/// <c>Retry-After</c>, capped by <see cref="ResourceCacheOptions.MaxBackoff"/>), by a watch from the last
/// resourceVersion (or a list, if none has succeeded yet). Nothing ends the loop but disposal.</para>
/// <para><b>Threads.</b> <see cref="Snapshot"/>, <see cref="ResourceVersion"/>, <see cref="Synced"/> and
/// <see cref="Counts"/> may be read from any thread at any time. <see cref="Changed"/> is raised on the loop alone, so
/// never concurrently with itself.</para>
/// </remarks>
public sealed class ResourceCache : IAsyncDisposable
{
    private static readonly ImmutableDictionary<string, JsonObject> Empty =
        ImmutableDictionary<string, JsonObject>.Empty.WithComparers(StringComparer.Ordinal);

    private readonly IKubernetes _client;
    private readonly WatchedResource _resource;
    private readonly ResourceCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lifecycle = new();

    private ImmutableDictionary<string, JsonObject> _snapshot = Empty;
    private string? _resourceVersion;
    private Task? _loop;
    private bool _disposed;

    // Owned by the loop alone.
    private int _eventsThisWatch;

    private long _lists;
    private long _relists;
    private long _watchRestarts;
    private long _errors;
    private long _events;

    /// <summary>Builds a cache; nothing is sent until <see cref="Start"/>.</summary>
    /// <param name="client">The API server client; its credentials need <c>list</c> and <c>watch</c> on the resource
    /// cluster-wide.</param>
    /// <param name="resource">The resource type to keep.</param>
    /// <param name="options">Back-off and timeouts; read once, here.</param>
    /// <param name="time">The clock for back-off delays and timeouts.</param>
    /// <param name="logger">Where lists, re-lists and failures are reported.</param>
    public ResourceCache(IKubernetes client, WatchedResource resource, ResourceCacheOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        if (!resource.IsNamespaces && !resource.IsConfigMap)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(resource.Group); // the core group's only type here is Namespaces
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(resource.Version);
        ArgumentException.ThrowIfNullOrWhiteSpace(resource.Plural);

        _client = client;
        _resource = resource;
        _options = options.Validated();
        _time = time;
        _logger = logger;
        _name = resource.IsNamespaces ? "namespaces/v1"
            : resource.Single is var (ns, single) ? $"configmaps/v1 {ns}/{single}"
            : $"{resource.Plural}.{resource.Group}/{resource.Version}";
    }

    /// <summary>Raised after each change to <see cref="Snapshot"/>: an object added, modified or deleted by a watch
    /// event, or a list that changed anything. Raised on the cache's loop, never concurrently with itself, so handlers
    /// must be quick (read <see cref="Snapshot"/> or signal someone else); an exception from a handler is logged and
    /// otherwise ignored.</summary>
    public event Action? Changed;

    /// <summary>Whether the first list has succeeded (and <see cref="Snapshot"/> reflects the cluster).</summary>
    public bool Synced => _synced.Task.IsCompletedSuccessfully;

    /// <summary>
    /// An immutable snapshot of the objects now in the cluster, keyed <c>NAMESPACE/NAME</c> for a namespaced resource
    /// and <c>NAME</c> for a cluster-scoped one. Each value is the whole object as the API server sent it
    /// (<c>apiVersion</c>, <c>kind</c>, <c>metadata</c>, <c>spec</c>, ...).
    /// </summary>
    /// <remarks>A snapshot never changes once returned; later changes produce new snapshots. Unchanged objects are
    /// shared between snapshots, so callers must not mutate them; each is fully materialized before it is published,
    /// so any number of threads may read it at once.</remarks>
    public IReadOnlyDictionary<string, JsonObject> Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The last resourceVersion seen: of the last list, object event or bookmark; null before the first
    /// list.</summary>
    public string? ResourceVersion => Volatile.Read(ref _resourceVersion);

    /// <summary>What the cache has done so far; cheap enough to read on every metrics scrape.</summary>
    public ResourceCacheCounts Counts => new(
        Interlocked.Read(ref _lists), Interlocked.Read(ref _relists), Interlocked.Read(ref _watchRestarts),
        Interlocked.Read(ref _errors), Interlocked.Read(ref _events));

    /// <summary>Starts the background list+watch loop. Calling it again, or after disposal, does nothing.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            if (_loop is null && !_disposed)
            {
                _loop = Task.Run(() => RunAsync(_stopping.Token));
            }
        }
    }

    /// <summary>Completes once the first list has succeeded (at once if it already has). Throws
    /// <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> fires first, or if the cache is
    /// disposed before it synced.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Stops the loop: cancels the call in flight (closing the watch connection) and waits for the loop to
    /// end, after which no more requests are sent.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _synced.TrySetCanceled();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var mustList = true;
        var afterList = false;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var call = mustList ? "List" : "Watch";
            _eventsThisWatch = 0;
            try
            {
                if (mustList)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    mustList = false;
                    afterList = true;
                }

                if (!afterList)
                {
                    Interlocked.Increment(ref _watchRestarts);
                }

                afterList = false;
                var started = _time.GetTimestamp();
                await WatchAsync(cancellationToken).ConfigureAwait(false);
                if (_eventsThisWatch == 0 && _time.GetElapsedTime(started) < _options.MinWatchDuration)
                {
                    throw new IOException("The watch ended at once, without a single event.");
                }

                failures = 0;
                ResourceCacheLog.WatchEnded(_logger, _name, _eventsThisWatch, ResourceVersion);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (IsGone(e))
            {
                Interlocked.Increment(ref _relists);
                ResourceCacheLog.Gone(_logger, _name, ResourceVersion);
                mustList = true;
                failures = _eventsThisWatch > 0 ? 1 : failures + 1;

                // Straight after an event, list at once; a 410 again and again (a stale list?) backs off.
                if (failures > 1 && !await DelayAsync(Backoff(failures - 1), cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
#pragma warning disable CA1031 // Whatever goes wrong, the loop backs off and carries on: only disposal ends it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _errors);
                failures = _eventsThisWatch > 0 ? 1 : failures + 1;
                var delay = ApiErrors.RetryAfter(e, _time.GetUtcNow()) is { } asked
                    ? (asked < _options.MaxBackoff ? asked : _options.MaxBackoff)
                    : Backoff(failures);
                ResourceCacheLog.Failed(_logger, call, _name, failures, delay, ApiErrors.Describe(e));
                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
    }

    /// <summary>Lists every object and makes the snapshot exactly that set.</summary>
    private async Task ListAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ListTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var (group, version, plural, namespaced) = _resource;
        object result;
        try
        {
            result = _resource.IsNamespaces
                ? Element(await _client.CoreV1.ListNamespaceAsync(cancellationToken: linked.Token).ConfigureAwait(false))
                : _resource.Single is var (ns, single)
                ? Element(await _client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: $"metadata.name={single}", cancellationToken: linked.Token).ConfigureAwait(false))
                : namespaced
                ? await _client.CustomObjects.ListCustomObjectForAllNamespacesAsync(group, version, plural, cancellationToken: linked.Token)
                    .ConfigureAwait(false)
                : await _client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural, cancellationToken: linked.Token)
                    .ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.StatusOf(e) == System.Net.HttpStatusCode.NotFound)
        {
            // The API server does not serve the type (its CRD is not installed): there are none of it. The watch that
            // follows fails the same way and backs off, so objects created once the CRD is installed still arrive.
            ResourceCacheLog.NotServed(_logger, _name);
            using var none = JsonDocument.Parse("{\"items\":[]}");
            result = none.RootElement.Clone();
        }
        if (result is not JsonElement { ValueKind: JsonValueKind.Object } list)
        {
            throw new InvalidDataException($"The list of {_name} is not a JSON object.");
        }

        var builder = Empty.ToBuilder();
        if (list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (ToObject(item) is { } obj && KeyOf(obj) is { } key)
                {
                    builder[key] = obj;
                }
                else
                {
                    Interlocked.Increment(ref _errors);
                    ResourceCacheLog.BadEvent(_logger, _name, "a listed item has no metadata.name");
                }
            }
        }

        var resourceVersion = list.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object &&
            metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String
                ? rv.GetString()
                : null;
        var next = builder.ToImmutable();
        var changed = !SameObjects(Volatile.Read(ref _snapshot), next);
        if (changed)
        {
            Volatile.Write(ref _snapshot, next);
        }

        Volatile.Write(ref _resourceVersion, resourceVersion);
        Interlocked.Increment(ref _lists);
        ResourceCacheLog.Listed(_logger, next.Count, _name, resourceVersion);
        if (changed)
        {
            RaiseChanged();
        }

        _synced.TrySetResult();
    }

    /// <summary>Watches from <see cref="ResourceVersion"/> until the server ends the watch; throws when it fails,
    /// including when it sends an ERROR event.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.WatchTimeout + _options.WatchGrace, _time);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Exception? statusError = null;

        void OnError(Exception e)
        {
            if (e is KubernetesException { Status: not null })
            {
                // An ERROR event: the server ends the watch after it; stop reading now.
                statusError = e;
                ended.Cancel();
                return;
            }

            Interlocked.Increment(ref _errors);
            ResourceCacheLog.BadEvent(_logger, _name, ApiErrors.Describe(e));
        }

        var (group, version, plural, namespaced) = _resource;
        var seconds = (int)Math.Min(int.MaxValue, Math.Max(1, _options.WatchTimeout.TotalSeconds));
        var stream = _resource.IsNamespaces
            ? WatchNamespaces(seconds, OnError, ended.Token)
            : _resource.IsConfigMap
            ? WatchConfigMap(seconds, OnError, ended.Token)
            : namespaced
            ? _client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(group, version, plural,
                allowWatchBookmarks: true, resourceVersion: ResourceVersion, timeoutSeconds: seconds, onError: OnError,
                cancellationToken: ended.Token)
            : _client.CustomObjects.WatchListClusterCustomObjectAsync(group, version, plural,
                allowWatchBookmarks: true, resourceVersion: ResourceVersion, timeoutSeconds: seconds, onError: OnError,
                cancellationToken: ended.Token);
        try
        {
            await foreach (var (type, item) in stream.ConfigureAwait(false))
            {
                Apply(type, item);
            }
        }
        catch (OperationCanceledException) when (statusError is not null && !cancellationToken.IsCancellationRequested)
        {
            // Cancelled by OnError: reported below.
        }
        catch (EndOfStreamException)
        {
            // The server ended the watch before its first event (the client reads that one eagerly).
        }

        if (statusError is not null)
        {
            ExceptionDispatchInfo.Throw(statusError);
        }
    }

    /// <summary>The Namespaces' watch, with each typed object turned into the JSON the custom-object watches give.</summary>
    private async IAsyncEnumerable<(WatchEventType, object)> WatchNamespaces(
        int seconds, Action<Exception> onError, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = _client.CoreV1.WatchListNamespaceAsync(
            allowWatchBookmarks: true, resourceVersion: ResourceVersion, timeoutSeconds: seconds, onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in stream.ConfigureAwait(false))
        {
            yield return (type, Element(item));
        }
    }

    /// <summary>The one ConfigMap's watch, as JSON like the others.</summary>
    private async IAsyncEnumerable<(WatchEventType, object)> WatchConfigMap(
        int seconds, Action<Exception> onError, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (ns, name) = _resource.Single!.Value;
        var stream = _client.CoreV1.WatchListNamespacedConfigMapAsync(ns, fieldSelector: $"metadata.name={name}",
            allowWatchBookmarks: true, resourceVersion: ResourceVersion, timeoutSeconds: seconds, onError: onError, cancellationToken: cancellationToken);
        await foreach (var (type, item) in stream.ConfigureAwait(false))
        {
            yield return (type, Element(item));
        }
    }

    /// <summary>A typed API object as a JSON element (its own copy).</summary>
    private static JsonElement Element(object typed)
    {
        using var document = JsonDocument.Parse(KubernetesJson.Serialize(typed));
        return document.RootElement.Clone();
    }

    private void Apply(WatchEventType type, object item)
    {
        if (item is not JsonElement element || ToObject(element) is not { } obj)
        {
            Interlocked.Increment(ref _errors);
            ResourceCacheLog.BadEvent(_logger, _name, $"a {type} event carries no object");
            return;
        }

        var resourceVersion = ResourceVersionOf(obj);
        if (type == WatchEventType.Bookmark)
        {
            Count(resourceVersion);
            return;
        }

        if (KeyOf(obj) is not { } key || type is not (WatchEventType.Added or WatchEventType.Modified or WatchEventType.Deleted))
        {
            Interlocked.Increment(ref _errors);
            ResourceCacheLog.BadEvent(_logger, _name, $"a {type} event's object has no metadata.name, or the type is unknown");
            return;
        }

        var current = Volatile.Read(ref _snapshot);
        var next = type == WatchEventType.Deleted ? current.Remove(key) : current.SetItem(key, obj);
        Volatile.Write(ref _snapshot, next);
        Count(resourceVersion);
        if (!ReferenceEquals(next, current))
        {
            RaiseChanged();
        }
    }

    private void Count(string? resourceVersion)
    {
        if (resourceVersion is not null)
        {
            Volatile.Write(ref _resourceVersion, resourceVersion);
        }

        _eventsThisWatch++;
        Interlocked.Increment(ref _events);
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
#pragma warning disable CA1031 // A faulty handler must not stop the cache.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ResourceCacheLog.HandlerFailed(_logger, _name, e);
        }
    }

    /// <summary>Waits <paramref name="delay"/> on the cache's clock; false if disposal came first.</summary>
    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The delay after <paramref name="failures"/> failures in a row: <see cref="ResourceCacheOptions.MinBackoff"/>
    /// doubled per failure after the first, plus up to half again of jitter, capped by
    /// <see cref="ResourceCacheOptions.MaxBackoff"/>.</summary>
    private TimeSpan Backoff(int failures)
    {
        var exponential = _options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
#pragma warning disable CA5394 // Jitter only spreads retries; it needs no unpredictability.
        var jittered = exponential * (1 + (Random.Shared.NextDouble() / 2));
#pragma warning restore CA5394
        return jittered >= _options.MaxBackoff.TotalMilliseconds ? _options.MaxBackoff : TimeSpan.FromMilliseconds(jittered);
    }

    private static bool IsGone(Exception e) =>
        ApiErrors.StatusOf(e) == HttpStatusCode.Gone || e is KubernetesException { Status.Code: (int)HttpStatusCode.Gone };

    /// <summary>A JSON object as a fully materialized <see cref="JsonObject"/> (nodes parsed from JSON build their
    /// children lazily, which is not safe for concurrent readers); null if it is not an object.</summary>
    private static JsonObject? ToObject(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || JsonObject.Create(element) is not { } obj)
        {
            return null;
        }

        Materialize(obj);
        return obj;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
        }
    }

    private string? KeyOf(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject metadata || metadata["name"]?.GetValueKind() != JsonValueKind.String)
        {
            return null;
        }

        var name = metadata["name"]!.GetValue<string>();
        if (!_resource.Namespaced)
        {
            return name;
        }

        var ns = metadata["namespace"]?.GetValueKind() == JsonValueKind.String ? metadata["namespace"]!.GetValue<string>() : "";
        return $"{ns}/{name}";
    }

    private static string? ResourceVersionOf(JsonObject obj) =>
        obj["metadata"] is JsonObject metadata && metadata["resourceVersion"]?.GetValueKind() == JsonValueKind.String
            ? metadata["resourceVersion"]!.GetValue<string>()
            : null;

    private static bool SameObjects(ImmutableDictionary<string, JsonObject> before, ImmutableDictionary<string, JsonObject> after) =>
        before.Count == after.Count &&
        after.All(pair => before.TryGetValue(pair.Key, out var old) && JsonNode.DeepEquals(old, pair.Value));
}
