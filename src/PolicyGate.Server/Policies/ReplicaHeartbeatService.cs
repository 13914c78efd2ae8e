using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Replicas;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Policies;

/// <summary>
/// Every replica's heartbeat: after each published load and every <see cref="PolicyGateServerOptions.HeartbeatInterval"/>
/// it renews its own Lease with the script hash of each cluster policy it serves, which the leader reads for the
/// policies' <c>status.servedBy</c>. Removed when the replica stops.
/// </summary>
internal sealed class ReplicaHeartbeatService(
    ReplicaLeases leases, PolicyRegistry registry, IOptions<PolicyGateServerOptions> options, TimeProvider time, ILogger<ReplicaHeartbeatService> logger)
    : BackgroundService
{
    /// <summary>What a replica serves of the cluster's policies: source (<c>ClusterAdmissionPolicy/NAME</c>, ...) → script hash.</summary>
    public static Dictionary<string, string> Serving(PolicySnapshot snapshot) => snapshot.Statuses
        .Where(s => s.Serving && s.Hash is not null && ClusterPolicySource.IsClusterSource(s.Source))
        .GroupBy(s => s.Source, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Hash!, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeartbeatInterval;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var published = registry.WaitForChangeAsync(stoppingToken);
            if (registry.IsReady)
            {
                try
                {
                    await leases.PublishAsync(Serving(registry.Current), stoppingToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // A heartbeat that fails is tried again at the next interval; serving goes on.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    Log.LeaderWorkFailed(logger, "Replica heartbeat", failures, interval, Kubernetes.ApiErrors.Describe(ex));
                }
            }

            try
            {
                await Task.WhenAny(published, Task.Delay(interval, time, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
        try
        {
            await leases.DeleteAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: a heartbeat left behind runs out on its own.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.LeaderWorkFailed(logger, "Removing the replica heartbeat", 1, TimeSpan.Zero, Kubernetes.ApiErrors.Describe(ex));
        }
    }
}
