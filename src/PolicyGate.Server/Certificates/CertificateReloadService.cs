using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Policies;

namespace PolicyGate.Server.Certificates;

/// <summary>Watches the certificate folder (cert-manager rotations, Secret volume updates) and reloads the certificate.</summary>
internal sealed class CertificateReloadService(ServingCertificate certificate, IOptions<PolicyGateServerOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var monitor = new DirectoryMonitor(certificate.Directory, options.Value.PollInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await monitor.WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            certificate.TryReload();
        }
    }
}
