namespace PolicyGate.Scripting.Sandbox;

/// <summary>
/// Keeps an evaluating script on its own thread: the continuations of its <c>await</c>s (say <c>await Task.Yield()</c>)
/// are queued here and run by <see cref="RunUntil"/> on the evaluating thread, where the script's budget is
/// installed, instead of on the thread pool, where no budget would see them. Whatever is still queued when the
/// evaluation ends is dropped, so no script code runs after its evaluation.
/// </summary>
internal sealed class ScriptSynchronizationContext : SynchronizationContext, IDisposable
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly Lock _lock = new();
    private readonly Thread _thread = Thread.CurrentThread;
    private ManualResetEventSlim? _wake;
    private bool _closed;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            _queue.Enqueue((d, state));
            _wake?.Set();
        }
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Thread.CurrentThread != _thread)
        {
            throw new NotSupportedException("a policy script's work runs only on its evaluating thread");
        }

        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs queued continuations on this thread until <paramref name="task"/> completes.</summary>
    public void RunUntil(Task task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        while (!task.IsCompleted)
        {
            (SendOrPostCallback Callback, object? State)? next = null;
            ManualResetEventSlim wake;
            lock (_lock)
            {
                if (_queue.Count > 0)
                {
                    next = _queue.Dequeue();
                }

                if (_wake is null)
                {
                    _wake = new ManualResetEventSlim(false);
                    task.ContinueWith(static (_, s) => ((ScriptSynchronizationContext)s!).Wake(), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                wake = _wake;
                if (next is null)
                {
                    wake.Reset();
                }
            }

            if (next is { } work)
            {
                work.Callback(work.State);
            }
            else if (!task.IsCompleted)
            {
                // Nothing queued: the script waits for something outside it; the budget's token ends the wait.
                wake.Wait(cancellationToken);
            }
        }
    }

    /// <summary>Drops what is still queued and refuses what comes later.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Clear();
            _wake?.Dispose();
            _wake = null;
        }
    }

    private void Wake()
    {
        lock (_lock)
        {
            _wake?.Set();
        }
    }
}
