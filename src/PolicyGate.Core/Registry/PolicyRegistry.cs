namespace PolicyGate.Core.Registry;

/// <summary>
/// The store of serving policies (a dumb store: whatever fills it lives elsewhere). Readers take
/// <see cref="Current"/> once per request; writers publish whole snapshots, swapped atomically.
/// </summary>
public sealed class PolicyRegistry
{
    private PolicySnapshot _current = PolicySnapshot.Empty;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PolicySnapshot Current => Volatile.Read(ref _current);

    /// <summary>True once the first load has been published.</summary>
    public bool IsReady { get; private set; }

    public void Publish(PolicySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        IsReady = true;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes at the next <see cref="Publish"/> after this call.</summary>
    public Task WaitForChangeAsync(CancellationToken cancellationToken = default) =>
        Volatile.Read(ref _changed).Task.WaitAsync(cancellationToken);
}
