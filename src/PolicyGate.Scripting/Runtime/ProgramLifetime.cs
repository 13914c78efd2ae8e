namespace PolicyGate.Scripting.Runtime;

/// <summary>
/// When a program's load context may be unloaded: once the program is retired (no published policy uses it any
/// more) and the last evaluation that still runs it has ended. Evaluations take a lease for the length of a run;
/// a lease is one interlocked increment and one decrement, so it costs next to nothing on the hot path.
/// </summary>
/// <remarks>
/// A lease taken after retirement (an evaluation that read the old snapshot just before the swap) is allowed and
/// runs normally: <see cref="System.Runtime.Loader.AssemblyLoadContext.Unload"/> only starts an unload, and the
/// runtime keeps the code alive while anything (the running evaluation, the program object) still references it.
/// The lease only decides when we start the unload, so that it never starts under a running evaluation; the unload
/// is started exactly once.
/// </remarks>
internal sealed class ProgramLifetime(Action unload)
{
    private int _leases;
    private int _retired;
    private int _unloadStarted;

    /// <summary>Evaluations running the program right now.</summary>
    public int Leases => Volatile.Read(ref _leases);

    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>True once the load context's unload has been started.</summary>
    public bool IsUnloadStarted => Volatile.Read(ref _unloadStarted) != 0;

    public void Acquire() => Interlocked.Increment(ref _leases);

    public void Release()
    {
        // Both sides use full fences (Interlocked), so of a concurrent Release and Retire at least one sees the
        // other's write: the last one out starts the unload.
        if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) != 0)
        {
            StartUnload();
        }
    }

    /// <summary>Marks the program as no longer published; unloads it now if nothing runs it, else when the last lease ends.</summary>
    public void Retire()
    {
        if (Interlocked.Exchange(ref _retired, 1) == 0 && Volatile.Read(ref _leases) == 0)
        {
            StartUnload();
        }
    }

    private void StartUnload()
    {
        if (Interlocked.Exchange(ref _unloadStarted, 1) == 0)
        {
            unload();
        }
    }
}
