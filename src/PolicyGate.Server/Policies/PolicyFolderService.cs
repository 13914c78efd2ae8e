using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Loading;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Policies;

/// <summary>
/// Fills the <see cref="PolicyRegistry"/> from the policy folder and the cluster's policy objects, and keeps it
/// current: every change (a file, or a watch event) is compiled in the background and swapped in whole. A broken edit
/// keeps the last good version of that policy serving and reports the error (log and <c>/policies</c>); the other
/// policies are not touched.
/// </summary>
internal sealed class PolicyFolderService(
    PolicyRegistry registry,
    PolicyCompiler compiler,
    IsolationSupervisor isolation,
    PolicyGateMetrics metrics,
    IOptions<PolicyGateServerOptions> options,
    TimeProvider time,
    ILogger<PolicyFolderService> logger,
    ClusterPolicySource? cluster = null,
    ConfigMapScripts? configMaps = null) : BackgroundService
{
    private readonly PolicyGateServerOptions _options = options.Value;
    private IReadOnlyDictionary<string, long> _loadedGenerations = new Dictionary<string, long>();

    /// <summary>
    /// The <c>metadata.generation</c> of each cluster policy object (by source, <c>ClusterAdmissionPolicy/NAME</c>)
    /// as the last published load read it: what a status written for that load observed.
    /// </summary>
    public IReadOnlyDictionary<string, long> LoadedGenerations => Volatile.Read(ref _loadedGenerations);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        isolation.WorkerStopped += (policy, reason) =>
        {
            Log.WorkerStopped(logger, policy, reason);
            metrics.RecordWorkerRestart(policy);
        };
        using var monitor = _options.PoliciesDirectory.Length > 0 ? new DirectoryMonitor(_options.PoliciesDirectory, _options.PollInterval) : null;
        monitor?.Acknowledge();
        if (compiler.CacheProblem is { } cacheProblem)
        {
            Log.CompileCacheUnusable(logger, cacheProblem);
        }

        // One wake-up for both sources: a changed file, or a watch event from the cluster.
        using var wake = new SemaphoreSlim(0, 1);
        void Signal()
        {
            try
            {
                wake.Release();
            }
            catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
            {
                // Already signalled (one reload picks up every change so far), or stopping.
            }
        }

        if (configMaps is not null)
        {
            configMaps.Changed += Signal;
        }

        if (cluster is not null)
        {
            cluster.Changed += Signal;
            cluster.Start();

            // Not ready until the cluster's policies are known: until then the API server applies each webhook's failurePolicy.
            try
            {
                await cluster.WaitForSyncAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        var folderWatch = monitor is null ? Task.CompletedTask : WatchFolderAsync(monitor, Signal, stoppingToken);

        // The first load reads everything the initial lists signalled: without this the loop would load it all again.
        wake.Wait(0, CancellationToken.None);
        TryReload();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(stoppingToken).ConfigureAwait(false);

                // Let a burst of events (an editor's save, a ConfigMap swap, several objects applied) settle, then load once.
                await Task.Delay(_options.ReloadDebounce, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            monitor?.Acknowledge();
            TryReload();
        }

        if (cluster is not null)
        {
            cluster.Changed -= Signal;
        }

        if (configMaps is not null)
        {
            configMaps.Changed -= Signal;
        }

        await folderWatch.ConfigureAwait(false);
    }

    private static async Task WatchFolderAsync(DirectoryMonitor monitor, Action signal, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await monitor.WaitForChangeAsync(stoppingToken).ConfigureAwait(false);
                signal();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// <see cref="Reload"/>, outliving any failure: the last published policies keep serving (and before the first
    /// load the server stays not ready, so the API server applies each webhook's failurePolicy), and the next change
    /// of the folder tries again.
    /// </summary>
    private void TryReload()
    {
        try
        {
            Reload();
        }
        catch (Exception ex)
        {
            Log.ReloadFailed(logger, ex);
            metrics.RecordReload(success: false);
        }
    }

    /// <summary>Loads the folder and publishes the next snapshot. Public for tests that drive reloads directly.</summary>
    public void Reload()
    {
        var watch = Stopwatch.StartNew();
        var files = _options.PoliciesDirectory.Length == 0 ? [] : DirectoryMonitor.VisibleFiles(_options.PoliciesDirectory)
            .Where(PolicyLoader.IsPolicyFile)
            .ToList();
        var compilationsBefore = compiler.CompilationCount;
        var objects = cluster?.Objects() ?? [];
        var result = new PolicyLoader(compiler, isolation, _options.IsolateAll, configMaps).LoadAll(files, objects);

        // Stop watching the ConfigMaps no policy names any more.
        configMaps?.RetainAsync().GetAwaiter().GetResult();
        if (compiler.CompilationCount > compilationsBefore)
        {
            metrics.RecordCompile(watch.Elapsed, compiler.CompilationCount - compilationsBefore);
        }

        var previous = registry.Current;
        var failures = ToFailures(result.Errors, previous, result.Policies.Select(p => p.Name).ToHashSet(StringComparer.Ordinal));
        var next = previous.Next(result.Policies, failures, time.GetUtcNow());
        Volatile.Write(ref _loadedGenerations, objects.ToDictionary(o => o.Source, o => ClusterPolicySource.GenerationOf(o.Object), StringComparer.Ordinal));
        registry.Publish(next);

        // Requests that took the previous snapshot finish on it; the compiler unloads its programs as they end.
        var retired = compiler.RetainOnly(next.Policies.Select(p => p.Program)) + isolation.RetainOnly(next.Policies.Select(p => p.Program));
        if (retired > 0)
        {
            Log.ProgramsRetired(logger, retired);
        }

        LogChanges(previous, next);
        metrics.RecordReload(success: failures.Count == 0);
        Log.PoliciesReloaded(logger, next.Policies.Count, next.Statuses.Count(s => s.State == PolicyState.Error), next.Version, watch.ElapsedMilliseconds);
    }

    /// <summary>
    /// Errors name their policy when it is known; a document that does not even parse is matched to the policies its
    /// source defined before, so those keep serving their last good version. An error for a name that another
    /// document loaded (a second definition of it, say), or that an earlier document already failed under, is listed
    /// under its own source: under the name it would be hidden behind the other entry of that name.
    /// </summary>
    private static List<PolicyFailure> ToFailures(IReadOnlyList<PolicyLoadError> errors, PolicySnapshot previous, HashSet<string> loaded)
    {
        var failures = new List<PolicyFailure>();
        var failedNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in errors.GroupBy(e => (e.Policy, e.Source)))
        {
            var message = string.Join("; ", group.Select(e => e.Message));
            var (policy, source) = group.Key;
            if (policy is not null && (loaded.Contains(policy) || !failedNames.Add(policy)))
            {
                failures.Add(new PolicyFailure(source, source, $"policy {policy}: {message}"));
                continue;
            }

            if (policy is not null)
            {
                failures.Add(new PolicyFailure(policy, source, message));
                continue;
            }

            var before = previous.Statuses
                .Where(s => s.Source == source || (!source.Contains('#', StringComparison.Ordinal) && s.Source.StartsWith(source + "#", StringComparison.Ordinal)))
                .Select(s => new PolicyFailure(s.Name, source, message))
                .ToList();
            failures.AddRange(before.Count > 0 ? before : [new PolicyFailure(source, source, message)]);
        }

        return failures;
    }

    private void LogChanges(PolicySnapshot previous, PolicySnapshot next)
    {
        foreach (var status in next.Statuses)
        {
            var old = previous.Statuses.FirstOrDefault(s => s.Name == status.Name);
            if (status.State == PolicyState.Error && (old is null || old.LastError != status.LastError))
            {
                Log.PolicyFailed(logger, status.Name, status.Source, status.Serving ? "the last good version keeps serving" : "not serving", status.LastError ?? "");
            }
            else if (status.State == PolicyState.Ready && (old is null || old.Hash != status.Hash || old.State != PolicyState.Ready || old.ChangedAt != status.ChangedAt))
            {
                Log.PolicyLoaded(logger, status.Name, status.Source, status.Hash?[..12] ?? "");
            }
        }

        foreach (var gone in previous.Statuses.Where(s => next.Statuses.All(n => n.Name != s.Name)))
        {
            Log.PolicyRemoved(logger, gone.Name);
        }
    }
}
