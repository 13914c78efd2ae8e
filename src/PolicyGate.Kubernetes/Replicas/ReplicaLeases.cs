using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;

namespace PolicyGate.Kubernetes.Replicas;

/// <summary>One replica as its heartbeat Lease describes it: its name and what it serves (a key → a version).</summary>
public sealed record ReplicaState(string Identity, IReadOnlyDictionary<string, string> Serving);

/// <summary>
/// Each replica's heartbeat: a <c>coordination.k8s.io/v1</c> Lease of its own (<c>policygate-replica-IDENTITY</c>, in
/// PolicyGate's namespace, labelled <see cref="RoleLabel"/>) that it renews and that carries, in an annotation, what
/// it serves. Only its own replica writes a heartbeat; the leader reads them all to say which replicas serve each
/// policy. A heartbeat not renewed within its lease duration is a replica that is gone.
/// </summary>
public sealed class ReplicaLeases
{
    public const string RoleLabel = "policygate.io/role";
    public const string RoleValue = "replica";
    public const string ServingAnnotation = "policygate.io/serving";
    public const string NamePrefix = "policygate-replica-";

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _identity;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _pipeline;

    public ReplicaLeases(IKubernetes client, string @namespace, string identity, TimeSpan duration, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(time);
        _client = client;
        _namespace = @namespace;
        _identity = identity;
        _duration = duration;
        _time = time;
        _pipeline = ApiRetries.ForWrites(3, TimeSpan.FromSeconds(10), time, logger);
    }

    /// <summary>This replica's heartbeat Lease's name.</summary>
    public string LeaseName => NamePrefix + _identity;

    /// <summary>Renews this replica's heartbeat with what it serves now (creating the Lease the first time).</summary>
    public async Task PublishAsync(IReadOnlyDictionary<string, string> serving, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serving);
        var annotation = JsonSerializer.Serialize(serving.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value));
        for (var attempt = 1; ; attempt++)
        {
            var current = await _pipeline.ExecuteAsync(async ct => await ReadAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            var lease = current ?? new V1Lease { Metadata = new V1ObjectMeta { Name = LeaseName, NamespaceProperty = _namespace } };
            lease.Metadata.Labels ??= new Dictionary<string, string>();
            lease.Metadata.Labels[RoleLabel] = RoleValue;
            lease.Metadata.Labels["app.kubernetes.io/name"] = "policygate";
            lease.Metadata.Annotations ??= new Dictionary<string, string>();
            lease.Metadata.Annotations[ServingAnnotation] = annotation;
            lease.Spec ??= new V1LeaseSpec();
            lease.Spec.HolderIdentity = _identity;
            lease.Spec.LeaseDurationSeconds = (int)Math.Ceiling(_duration.TotalSeconds);
            lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
            try
            {
                await _pipeline.ExecuteAsync(async ct => current is null
                    ? await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, _namespace, cancellationToken: ct).ConfigureAwait(false)
                    : await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, LeaseName, _namespace, cancellationToken: ct).ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                // Created or changed in between (by this replica's previous life): read it again.
            }
        }
    }

    /// <summary>The replicas whose heartbeat is current, by name.</summary>
    public async Task<IReadOnlyList<ReplicaState>> ListAsync(CancellationToken cancellationToken)
    {
        var leases = await _pipeline.ExecuteAsync(async ct => await _client.CoordinationV1.ListNamespacedLeaseAsync(_namespace,
            labelSelector: $"{RoleLabel}={RoleValue}", cancellationToken: ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcDateTime;
        var replicas = new List<ReplicaState>();
        foreach (var lease in leases.Items)
        {
            if (lease.Spec?.HolderIdentity is not { } identity || lease.Spec.RenewTime is not { } renewed ||
                renewed.ToUniversalTime().AddSeconds(lease.Spec.LeaseDurationSeconds ?? 0) < now)
            {
                continue;
            }

            replicas.Add(new ReplicaState(identity, ReadServing(lease)));
        }

        return [.. replicas.OrderBy(r => r.Identity, StringComparer.Ordinal)];
    }

    /// <summary>Removes this replica's heartbeat (when it stops); best effort.</summary>
    public async Task DeleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoordinationV1.DeleteNamespacedLeaseAsync(LeaseName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    private static Dictionary<string, string> ReadServing(V1Lease lease)
    {
        if (lease.Metadata?.Annotations?.TryGetValue(ServingAnnotation, out var text) != true)
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(text!) ?? [];
        }
        catch (JsonException)
        {
            return []; // Not ours to judge: a replica that serves nothing readable serves nothing here.
        }
    }

    private async Task<V1Lease?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoordinationV1.ReadNamespacedLeaseAsync(LeaseName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

}
