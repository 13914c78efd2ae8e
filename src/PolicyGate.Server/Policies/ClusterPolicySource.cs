using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Watch;

namespace PolicyGate.Server.Policies;

/// <summary>
/// What the cluster says that policies depend on: every <c>ClusterAdmissionPolicy</c>, every <c>AdmissionPolicy</c> in
/// every namespace, and every Namespace's labels (for <c>namespaceSelector</c>), kept current by a list+watch each
/// (<see cref="ResourceCache"/>: resumes from the last resourceVersion, bookmarks, re-lists on 410 Gone, backs off on
/// errors). <see cref="Changed"/> tells the reload loop to load the policies again.
/// </summary>
internal sealed class ClusterPolicySource : IAsyncDisposable
{
    public static readonly WatchedResource ClusterPolicies = new("policygate.io", "v1", "clusteradmissionpolicies", Namespaced: false);

    public static readonly WatchedResource NamespacedPolicies = new("policygate.io", "v1", "admissionpolicies", Namespaced: true);

    private const string ClusterSourcePrefix = "ClusterAdmissionPolicy/";
    private const string NamespacedSourcePrefix = "AdmissionPolicy/";

    private readonly ResourceCache _cluster;
    private readonly ResourceCache _namespaced;
    private readonly ResourceCache _namespaces;
    private LabelsOf _labels = new(new Dictionary<string, JsonObject>(), []);

    public ClusterPolicySource(ClusterConnection connection, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger<ClusterPolicySource>();
        _cluster = new ResourceCache(connection.Client, ClusterPolicies, new ResourceCacheOptions(), time, logger);
        _namespaced = new ResourceCache(connection.Client, NamespacedPolicies, new ResourceCacheOptions(), time, logger);
        _namespaces = new ResourceCache(connection.Client, WatchedResource.Namespaces, new ResourceCacheOptions(), time, logger);
        _cluster.Changed += () => Changed?.Invoke();
        _namespaced.Changed += () => Changed?.Invoke();
    }

    /// <summary>
    /// A namespace's labels as the cluster has them (null for one not seen yet: the matcher then knows only its
    /// <c>kubernetes.io/metadata.name</c>). Read per request: the labels of one snapshot are built once.
    /// </summary>
    public IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName)
    {
        var snapshot = _namespaces.Snapshot;
        var cached = Volatile.Read(ref _labels);
        if (!ReferenceEquals(cached.Snapshot, snapshot))
        {
            var labels = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            foreach (var (name, ns) in snapshot)
            {
                var map = new Dictionary<string, string>(StringComparer.Ordinal);
                if (ns["metadata"]?["labels"] is JsonObject present)
                {
                    foreach (var (key, value) in present)
                    {
                        if (value is JsonValue text && text.TryGetValue<string>(out var v))
                        {
                            map[key] = v;
                        }
                    }
                }

                labels[name] = map;
            }

            cached = new LabelsOf(snapshot, labels);
            Volatile.Write(ref _labels, cached);
        }

        return cached.Labels.GetValueOrDefault(namespaceName);
    }

    /// <summary>Raised after the cluster's policies changed (on a watch thread: handlers only signal).</summary>
    public event Action? Changed;

    public void Start()
    {
        _cluster.Start();
        _namespaced.Start();
        _namespaces.Start();
    }

    /// <summary>Completes once the policies of both kinds and the Namespaces have been listed: before that, what the
    /// cluster holds is not known.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => Task.WhenAll(
        _cluster.WaitForSyncAsync(cancellationToken), _namespaced.WaitForSyncAsync(cancellationToken), _namespaces.WaitForSyncAsync(cancellationToken));

    /// <summary>
    /// A private copy of every policy object, with the source its errors and <c>/policies</c> name:
    /// <c>ClusterAdmissionPolicy/NAME</c> or <c>AdmissionPolicy/NAMESPACE/NAME</c>.
    /// </summary>
    public List<(JsonObject Object, string Source)> Objects()
    {
        var objects = new List<(JsonObject, string)>();
        foreach (var (key, obj) in _cluster.Snapshot.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            objects.Add((obj.DeepClone().AsObject(), ClusterSourcePrefix + key));
        }

        foreach (var (key, obj) in _namespaced.Snapshot.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            objects.Add((obj.DeepClone().AsObject(), NamespacedSourcePrefix + key));
        }

        return objects;
    }

    /// <summary>The resource, namespace and name of a policy object named by its source (<see cref="Objects"/>).</summary>
    public static (WatchedResource Resource, string? Namespace, string Name) Locate(JsonObject obj, string source)
    {
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(source);
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        return source.StartsWith(NamespacedSourcePrefix, StringComparison.Ordinal)
            ? (NamespacedPolicies, obj["metadata"]?["namespace"]?.GetValue<string>(), name)
            : (ClusterPolicies, null, name);
    }

    /// <summary>Whether a policy source (as <see cref="Objects"/> names them) is a cluster object rather than a file.</summary>
    public static bool IsClusterSource(string source) =>
        source.StartsWith(ClusterSourcePrefix, StringComparison.Ordinal) || source.StartsWith(NamespacedSourcePrefix, StringComparison.Ordinal);

    /// <summary>The source of a policy object of <paramref name="kind"/> (as <see cref="Objects"/> names them), for one
    /// that is not in the cache (a candidate <c>/validate-policies</c> judges).</summary>
    public static string SourceOf(string? kind, string? @namespace, string? name) =>
        kind == nameof(Core.Api.V1.PolicyKind.AdmissionPolicy) ? $"{NamespacedSourcePrefix}{@namespace}/{name}" : $"{kind}/{name}";

    /// <summary>An object's <c>metadata.generation</c> (0 when it has none, as objects the API server never stored).</summary>
    public static long GenerationOf(JsonObject obj) =>
        obj["metadata"]?["generation"] is JsonValue value && value.TryGetValue<long>(out var generation) ? generation : 0;

    public async ValueTask DisposeAsync()
    {
        await _cluster.DisposeAsync().ConfigureAwait(false);
        await _namespaced.DisposeAsync().ConfigureAwait(false);
        await _namespaces.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The labels of every namespace of one snapshot of the Namespaces.</summary>
    private sealed record LabelsOf(IReadOnlyDictionary<string, JsonObject> Snapshot, Dictionary<string, IReadOnlyDictionary<string, string>> Labels);
}
