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

    /// <summary>Raised after a watched ConfigMap changed (on its watch's thread: handlers only signal).</summary>
    public event Action? Changed;

    public string? Read(ConfigMapModule module, out string? error)
    {
        ArgumentNullException.ThrowIfNull(module);
        var key = (module.Namespace, module.Name);
        _asked[key] = true;
        var cache = _caches.GetOrAdd(key, k =>
        {
            var created = new ResourceCache(connection.Client, WatchedResource.ConfigMap(k.Namespace, k.Name), new ResourceCacheOptions(), time, _logger);
            created.Changed += () => Changed?.Invoke();
            created.Start();
            return created;
        });
        if (!cache.Synced)
        {
            // The first load that names it waits for its list (a reload runs on the loading thread, never a request's).
            try
            {
                cache.WaitForSyncAsync(CancellationToken.None).Wait(FirstReadWait);
            }
            catch (AggregateException)
            {
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
