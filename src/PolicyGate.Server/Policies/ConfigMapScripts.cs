using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Api.V1;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Watch;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Server.Policies;

/// <summary>
/// The ConfigMaps that <c>configmap://NAMESPACE/NAME/KEY</c> modules name, each listed and watched on its own (a field
/// selector on its name), so PolicyGate reads no other ConfigMap. A ConfigMap is watched from the first load that
/// asks for it, and no longer once a load no longer does (<see cref="Retain"/>); a change to one raises
/// <see cref="Changed"/>, which reloads the policies.
/// </summary>
internal sealed class ConfigMapScripts(ClusterConnection connection, TimeProvider time, ILoggerFactory loggers) : IConfigMapScripts, IAsyncDisposable
{
    /// <summary>How long a load waits for a ConfigMap it asks for the first time to be listed.</summary>
    public static readonly TimeSpan FirstReadWait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<(string Namespace, string Name), ResourceCache> _caches = new();
    private readonly ConcurrentDictionary<(string Namespace, string Name), bool> _asked = new();
    private readonly ILogger _logger = loggers.CreateLogger<ConfigMapScripts>();
    private readonly Lock _starting = new();

    /// <summary>Raised after a watched ConfigMap changed (on its watch's thread: handlers only signal).</summary>
    public event Action? Changed;

    /// <summary>The module's script, waiting up to <see cref="FirstReadWait"/> for its ConfigMap's first list (a load
    /// runs on the loading thread, never a request's); null with the reason when it cannot be read.</summary>
    public string? Read(ConfigMapModule module, out string? error) => Read(module, wait: true, out error);

    /// <summary>
    /// Starts watching the module's ConfigMap and waits, without holding a thread, up to <see cref="FirstReadWait"/> for
    /// its first list: <c>/validate-policies</c> does this on the request's own flow, then reads with
    /// <see cref="Read(ConfigMapModule, bool, out string?)"/> without waiting again.
    /// </summary>
    public async Task PrepareAsync(ConfigMapModule module, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        var cache = Watch((module.Namespace, module.Name));
        if (cache.Synced)
        {
            return;
        }

        try
        {
            await cache.WaitForSyncAsync(cancellationToken).WaitAsync(FirstReadWait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Read says it could not be read yet.
        }
    }

    /// <summary>The module's script; with <paramref name="wait"/>, a ConfigMap not listed yet is waited for (on the
    /// clock) up to <see cref="FirstReadWait"/>.</summary>
    public string? Read(ConfigMapModule module, bool wait, out string? error)
    {
        ArgumentNullException.ThrowIfNull(module);
        var key = (module.Namespace, module.Name);
        _asked[key] = true;
        var cache = Watch(key);
        if (wait && !cache.Synced)
        {
            try
            {
                cache.WaitForSyncAsync(CancellationToken.None).WaitAsync(FirstReadWait, time).Wait();
            }
            catch (AggregateException)
            {
                // Timed out: said below.
            }
        }

        if (!cache.Synced)
        {
            error = $"ConfigMap {module.Namespace}/{module.Name} could not be read yet (the API server has not answered its list); it is retried";
            return null;
        }

        if (cache.Snapshot.GetValueOrDefault($"{module.Namespace}/{module.Name}") is not { } configMap)
        {
            error = $"ConfigMap {module.Namespace}/{module.Name} does not exist";
            return null;
        }

        if (configMap["data"]?[module.Key] is JsonValue value && value.TryGetValue<string>(out var text))
        {
            error = null;
            return text;
        }

        error = configMap["binaryData"]?[module.Key] is not null
            ? $"ConfigMap {module.Namespace}/{module.Name}: key \"{module.Key}\" is in binaryData; a script must be text under data"
            : $"ConfigMap {module.Namespace}/{module.Name} has no key \"{module.Key}\" in data";
        return null;
    }

    /// <summary>The cache of one ConfigMap, listed and watched from the first time it is asked for.</summary>
    private ResourceCache Watch((string Namespace, string Name) key)
    {
        if (_caches.TryGetValue(key, out var cache))
        {
            return cache;
        }

        lock (_starting) // GetOrAdd may run its factory twice, and a cache started twice would watch twice
        {
            if (!_caches.TryGetValue(key, out cache))
            {
                cache = new ResourceCache(connection.Client, WatchedResource.ConfigMap(key.Namespace, key.Name), new ResourceCacheOptions(), time, _logger);
                cache.Changed += () => Changed?.Invoke();
                cache.Start();
                _caches[key] = cache;
            }

            return cache;
        }
    }

    /// <summary>Called after a load: stops watching the ConfigMaps it did not ask for, and starts the next load's record.</summary>
    public async Task RetainAsync()
    {
        foreach (var key in _caches.Keys.Where(k => !_asked.ContainsKey(k)).ToList())
        {
            if (_caches.TryRemove(key, out var cache))
            {
                await cache.DisposeAsync().ConfigureAwait(false);
            }
        }

        _asked.Clear();
    }

    /// <summary>The ConfigMaps watched now, as NAMESPACE/NAME.</summary>
    public IReadOnlyList<string> Watched => [.. _caches.Keys.Select(k => $"{k.Namespace}/{k.Name}").Order(StringComparer.Ordinal)];

    public async ValueTask DisposeAsync()
    {
        foreach (var cache in _caches.Values)
        {
            await cache.DisposeAsync().ConfigureAwait(false);
        }

        _caches.Clear();
    }
}
