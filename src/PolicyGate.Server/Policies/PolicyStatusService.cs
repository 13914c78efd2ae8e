using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Leadership;
using PolicyGate.Kubernetes.Replicas;
using PolicyGate.Kubernetes.Status;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Policies;

/// <summary>
/// Writes each cluster policy object's <c>status</c> after every load: <c>observedGeneration</c> (the generation that
/// load read), the <c>Ready</c> condition (<c>True</c>, or <c>False</c> with the loader's error: the compiler's
/// line and column, a sandbox refusal, settings that do not validate), the hash of the script that serves, and the
/// replicas that serve it (this one's own snapshot, and the other replicas' heartbeat Leases, read every heartbeat
/// interval). Only the leader writes, and only what changed.
/// </summary>
internal sealed class PolicyStatusService : LeaderWork
{
    public const string ReadyCondition = "Ready";
    public const string LoadedReason = "Loaded";
    public const string LoadFailedReason = "LoadFailed";

    private readonly PolicyRegistry _registry;
    private readonly PolicyFolderService _loads;
    private readonly ClusterPolicySource _cluster;
    private readonly StatusWriter _writer;
    private readonly Leadership _leadership;
    private readonly ReplicaLeases _replicas;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public PolicyStatusService(Leadership leadership, PolicyRegistry registry, PolicyFolderService loads, ClusterPolicySource cluster, StatusWriter writer,
        ReplicaLeases replicas, IOptions<PolicyGateServerOptions> options, TimeProvider time, ILogger<PolicyStatusService> logger)
        : base(leadership, registry, time, options.Value.HeartbeatInterval, logger)
    {
        _registry = registry;
        _loads = loads;
        _cluster = cluster;
        _writer = writer;
        _leadership = leadership;
        _replicas = replicas;
        _time = time;
        _logger = logger;
    }

    protected override string What => "Policy status";

    protected override void NewTerm() => _written.Clear();

    protected override async Task WriteAsync(CancellationToken term)
    {
        if (!_registry.IsReady)
        {
            return;
        }

        var snapshot = _registry.Current;
        var generations = _loads.LoadedGenerations;

        // Which replicas serve what: the others' heartbeats, and this one's own snapshot (its heartbeat may lag it).
        var others = (await _replicas.ListAsync(term).ConfigureAwait(false)).Where(r => r.Identity != _leadership.Identity);
        List<ReplicaState> replicas = [new(_leadership.Identity, ReplicaHeartbeatService.Serving(snapshot)), .. others];
        var statuses = snapshot.Statuses.ToLookup(s => s.Source, StringComparer.Ordinal);
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (obj, source) in _cluster.Objects())
        {
            present.Add(source);
            if (!generations.TryGetValue(source, out var generation) || !statuses[source].Any())
            {
                continue; // Not loaded yet: the load that reads it publishes a snapshot, which wakes this again.
            }

            var status = StatusOf(statuses[source].ToList(), generation, obj["status"] as JsonObject, source, replicas);
            var text = status.ToJsonString();
            if (_written.GetValueOrDefault(source) == text || JsonNode.DeepEquals(obj["status"], status))
            {
                _written[source] = text;
                continue;
            }

            var (resource, ns, name) = ClusterPolicySource.Locate(obj, source);
            var result = await _writer.WriteAsync(resource, ns, name, generation, status, term).ConfigureAwait(false);
            if (result == StatusWriteResult.Written)
            {
                _written[source] = text;
                Log.StatusWritten(_logger, source, status["conditions"]![0]!["status"]!.GetValue<string>(), generation);
            }
        }

        foreach (var gone in _written.Keys.Where(k => !present.Contains(k)).ToList())
        {
            _written.Remove(gone);
        }
    }

    /// <summary>The status for one object's policy, keeping the condition's transition time while its value holds.</summary>
    private JsonObject StatusOf(List<PolicyStatus> statuses, long generation, JsonObject? current, string source, List<ReplicaState> replicas)
    {
        var failed = statuses.Where(s => s.State == PolicyState.Error).ToList();
        var serving = statuses.FirstOrDefault(s => s.Serving);
        var ready = failed.Count == 0 ? "True" : "False";
        var message = failed.Count == 0
            ? $"serving script {Short(serving?.Hash)}"
            : string.Join("; ", failed.Select(f => f.LastError)) + (serving is null
                ? "; the policy does not serve"
                : $"; the last good version (script {Short(serving.Hash)}) keeps serving");
        var previous = (current?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == ReadyCondition);
        var since = previous?["status"]?.GetValue<string>() == ready && previous["lastTransitionTime"] is JsonValue kept
            ? kept.GetValue<string>()
            : _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = new JsonObject
        {
            ["observedGeneration"] = generation,
            ["conditions"] = new JsonArray(new JsonObject
            {
                ["type"] = ReadyCondition,
                ["status"] = ready,
                ["observedGeneration"] = generation,
                ["lastTransitionTime"] = since,
                ["reason"] = failed.Count == 0 ? LoadedReason : LoadFailedReason,
                ["message"] = message,
            }),
        };
        if (serving?.Hash is { } hash)
        {
            status["scriptHash"] = hash;
            status["servedBy"] = new JsonArray([.. replicas
                .Where(r => r.Serving.GetValueOrDefault(source) == hash)
                .Select(r => (JsonNode)JsonValue.Create(r.Identity))
                .OrderBy(n => n.GetValue<string>(), StringComparer.Ordinal)]);
        }

        return status;
    }

    private static string Short(string? hash) => hash is null ? "(none)" : $"sha256:{hash[..Math.Min(12, hash.Length)]}";
}
