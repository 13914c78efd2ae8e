using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Watch;

namespace PolicyGate.Server.Policies;

/// <summary>
/// The policies the cluster holds: every <c>ClusterAdmissionPolicy</c>, and every <c>AdmissionPolicy</c> in every
/// namespace, kept current by a list+watch each (<see cref="ResourceCache"/>: resumes from the last resourceVersion,
/// bookmarks, re-lists on 410 Gone, backs off on errors). <see cref="Changed"/> tells the reload loop to load again.
/// </summary>
internal sealed class ClusterPolicySource : IAsyncDisposable
{
    public static readonly WatchedResource ClusterPolicies = new("policygate.io", "v1", "clusteradmissionpolicies", Namespaced: false);

    public static readonly WatchedResource NamespacedPolicies = new("policygate.io", "v1", "admissionpolicies", Namespaced: true);

    private readonly ResourceCache _cluster;
    private readonly ResourceCache _namespaced;

    public ClusterPolicySource(ClusterConnection connection, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<ClusterPolicySource>();
        _cluster = new ResourceCache(connection.Client, ClusterPolicies, new ResourceCacheOptions(), time, logger);
        _namespaced = new ResourceCache(connection.Client, NamespacedPolicies, new ResourceCacheOptions(), time, logger);
        _cluster.Changed += () => Changed?.Invoke();
        _namespaced.Changed += () => Changed?.Invoke();
    }

    /// <summary>Raised after the cluster's policies changed (on a watch thread: handlers only signal).</summary>
    public event Action? Changed;

    public void Start()
    {
        _cluster.Start();
        _namespaced.Start();
    }

    /// <summary>Completes once both kinds have been listed: before that, the cluster's policies are not known.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_cluster.WaitForSyncAsync(cancellationToken), _namespaced.WaitForSyncAsync(cancellationToken));

    /// <summary>
    /// A private copy of every policy object, with the source its errors and <c>/policies</c> name:
    /// <c>ClusterAdmissionPolicy/NAME</c> or <c>AdmissionPolicy/NAMESPACE/NAME</c>.
    /// </summary>
    public List<(JsonObject Object, string Source)> Objects()
    {
        var objects = new List<(JsonObject, string)>();
        foreach (var (key, obj) in _cluster.Snapshot.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            objects.Add((obj.DeepClone().AsObject(), $"ClusterAdmissionPolicy/{key}"));
        }

        foreach (var (key, obj) in _namespaced.Snapshot.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            objects.Add((obj.DeepClone().AsObject(), $"AdmissionPolicy/{key}"));
        }

        return objects;
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync().ConfigureAwait(false);
        await _namespaced.DisposeAsync().ConfigureAwait(false);
    }
}
