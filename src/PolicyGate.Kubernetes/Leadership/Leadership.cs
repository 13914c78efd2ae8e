using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Leadership;

/// <summary>
/// Leader election among PolicyGate's replicas with KubernetesClient's <see cref="LeaderElector"/> over a
/// <see cref="LeaseLock"/>: every replica serves admission requests, and only the leader writes to the cluster
/// (webhook configurations, policy status). Writers wait for a term (<see cref="WaitForTermAsync"/>) and stop when
/// its token is cancelled.
/// </summary>
/// <remarks>
/// The elector keeps time with the system clock and <see cref="Task.Delay(TimeSpan)"/>, not a <see cref="TimeProvider"/>:
/// its timing is tested with short leases against a loopback API server. Its own loop ends on a connection failure,
/// so this one restarts it after <see cref="LeaderElectionOptions.RetryPeriod"/>. On <see cref="DisposeAsync"/> a
/// leader hands over: it shortens its Lease to one second, so another replica takes over at its next try instead of
/// waiting out the whole lease (the elector itself never releases).
/// </remarks>
public sealed class Leadership : IAsyncDisposable
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly ILogger _logger;
    private readonly LeaderElector _elector;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _term = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _termToken;
    private Task _running = Task.CompletedTask;
    private int _disposed;

    public Leadership(IKubernetes client, LeaderElectionOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate().FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _client = client;
        _options = options;
        _logger = logger;
        _elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(client, options.Namespace, options.LeaseName, options.Identity))
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        _elector.OnStartedLeading += StartTerm;
        _elector.OnStoppedLeading += EndTerm;
        _elector.OnNewLeader += leader => LeadershipLog.NewLeader(_logger, leader ?? "(none)", _options.Namespace, _options.LeaseName);
        _elector.OnError += error => LeadershipLog.ElectionError(_logger, error is null ? "unknown error" : ApiErrors.Describe(error is AggregateException { InnerException: { } inner } ? inner : error));
    }

    /// <summary>This replica's name in the Lease.</summary>
    public string Identity => _options.Identity;

    /// <summary>Whether this replica holds the Lease now.</summary>
    public bool IsLeader
    {
        get
        {
            lock (_gate)
            {
                return _termToken is { IsCancellationRequested: false };
            }
        }
    }

    /// <summary>Raised when this replica starts (true) or stops (false) leading, on the elector's thread.</summary>
    public event Action<bool>? Changed;

    /// <summary>Starts competing for the Lease in the background, until disposed.</summary>
    public void Start() => _running = Task.Run(RunAsync);

    /// <summary>
    /// Completes when this replica leads (at once if it does), with a token that is cancelled when that term ends
    /// (the Lease lost, not renewed in time, or the replica stopping).
    /// </summary>
    public Task<CancellationToken> WaitForTermAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _term.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _elector.RunUntilLeadershipLostAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The election must outlive anything the API server does; the next try follows.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                EndTerm();
                LeadershipLog.ElectionError(_logger, ApiErrors.Describe(ex));
            }

            try
            {
                await Task.Delay(_options.RetryPeriod, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private void StartTerm()
    {
        lock (_gate)
        {
            _termToken?.Dispose();
            _termToken = new CancellationTokenSource();
            _term.TrySetResult(_termToken.Token);
        }

        LeadershipLog.StartedLeading(_logger, _options.Identity, _options.Namespace, _options.LeaseName);
        Changed?.Invoke(true);
    }

    private void EndTerm()
    {
        CancellationTokenSource? ended;
        lock (_gate)
        {
            ended = _termToken;
            _termToken = null;
            if (_term.Task.IsCompleted)
            {
                _term = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (ended is null)
        {
            return;
        }

        ended.Cancel();
        LeadershipLog.StoppedLeading(_logger, _options.Identity);
        Changed?.Invoke(false);
    }

    /// <summary>Stops competing and hands the Lease over if this replica leads. Safe to call again (the host stops it,
    /// then its container disposes it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        var wasLeader = IsLeader;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        EndTerm();
        if (wasLeader)
        {
            await HandOverAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
        _elector.Dispose();
    }

    /// <summary>Shortens this replica's Lease to one second so that another takes over at once; best effort.</summary>
    private async Task HandOverAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != _options.Identity)
            {
                return;
            }

            lease.Spec.LeaseDurationSeconds = 1;
            lease.Spec.RenewTime = DateTime.UtcNow;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.Namespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LeadershipLog.HandedOver(_logger, _options.Identity);
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or IOException or OperationCanceledException)
        {
            // Another replica takes over when the Lease runs out instead.
            LeadershipLog.ElectionError(_logger, ApiErrors.Describe(ex));
        }
    }
}
