using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Leadership;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Hosting;

/// <summary>
/// Work that only the leader does (webhook registration, policy status): while this replica holds the Lease, it runs
/// <see cref="WriteAsync"/> at the start of each term, after every published policy snapshot, whenever
/// <see cref="Signal"/> is called, and every resync interval (to repair what someone else changed); a failure is
/// logged and tried again with back-off. The term's token cancels a write in flight when leadership is lost.
/// </summary>
internal abstract class LeaderWork(Leadership leadership, PolicyRegistry registry, TimeProvider time, TimeSpan resync, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LastRetry = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>What the log calls this work.</summary>
    protected abstract string What { get; }

    /// <summary>Writes what is due. Called only while leading; <paramref name="term"/> ends with the term.</summary>
    protected abstract Task WriteAsync(CancellationToken term);

    /// <summary>A new term began: forget what earlier terms wrote (another leader may have written since).</summary>
    protected abstract void NewTerm();

    /// <summary>Asks for a write soon (from any thread).</summary>
    protected void Signal()
    {
        try
        {
            _wake.Release();
        }
        catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or stopping.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var published = WatchRegistryAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var term = await leadership.WaitForTermAsync(stoppingToken).ConfigureAwait(false);
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
                NewTerm();
                await LeadAsync(linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await published.ConfigureAwait(false);
    }

    private async Task LeadAsync(CancellationToken term)
    {
        var failures = 0;
        while (!term.IsCancellationRequested)
        {
            var wait = resync;
            try
            {
                await WriteAsync(term).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever the API server answers, the leader keeps trying; the log says what failed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(LastRetry.Ticks, FirstRetry.Ticks << Math.Min(failures - 1, 16)));
                wait = backoff < resync ? backoff : resync;
                Log.LeaderWorkFailed(logger, What, failures, wait, Kubernetes.ApiErrors.Describe(ex));
            }

            using var timer = new CancellationTokenSource(wait, time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(term, timer.Token);
            try
            {
                await _wake.WaitAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!term.IsCancellationRequested)
            {
                // The resync (or back-off) time is up.
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchRegistryAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await registry.WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
                Signal();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }
}
