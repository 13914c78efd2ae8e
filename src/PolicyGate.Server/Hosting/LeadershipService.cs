using Microsoft.Extensions.Hosting;
using PolicyGate.Kubernetes.Leadership;

namespace PolicyGate.Server.Hosting;

/// <summary>Competes for the leader Lease while the server runs, and hands it over when the server stops.</summary>
internal sealed class LeadershipService(Leadership leadership) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        leadership.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await leadership.DisposeAsync().ConfigureAwait(false);
}
