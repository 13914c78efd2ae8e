using Microsoft.Extensions.Hosting;
using PolicyGate.Kubernetes.Events;

namespace PolicyGate.Server.Events;

/// <summary>Starts the <see cref="EventRecorder"/>'s delivery with the server, and drains it when the server stops.</summary>
internal sealed class EventRecorderService(EventRecorder recorder) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recorder.Start();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await recorder.DisposeAsync().ConfigureAwait(false);
}
