using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace PolicyGate.Core.Sandbox;

/// <summary>
/// The time, memory and stack budget of one script run on one thread. The evaluator installs one around a script
/// (<see cref="Start"/>, disposed when the script returns); the policy compiler weaves calls to the static check
/// methods (<see cref="Enter"/>, <see cref="Loop"/>, <see cref="CanCatch"/>, <see cref="Length{T}(int)"/>...) into
/// the script, so a script that runs too long, allocates too much or recurses without end is stopped by a
/// <see cref="BudgetExceededException"/> that it cannot catch. .NET cannot abort a thread: this is how a runaway
/// script is made to stop by itself.
/// </summary>
/// <remarks>
/// A check reads one thread-static and decrements a countdown; every <see cref="CheckInterval"/> checks it makes a
/// full check: the thread's allocated bytes, the caller's token and the clock. The time budget is measured against
/// the clock, never in checks: a check can stand for a long library call (a regular expression that runs into its
/// 500 ms match timeout), so counting checks between clock reads once let a 1 s policy run 65 s. Every exception a
/// script catches forces a full check too (<see cref="CanCatch"/>), so a loop that catches regex timeouts stops within
/// about one timeout past its budget. The clock is <see cref="Environment.TickCount64"/>: milliseconds, with the
/// resolution of the OS's tick (1 to 16 ms, plenty against budgets of seconds), and several times cheaper to read than
/// <see cref="Stopwatch"/> (about 30 ns on a VM). When a check sees the allocations or the time close to their limit
/// it checks every time. Once stopped, the budget stays stopped: every later check throws again, so code in a <c>finally</c> or
/// behind a library call that swallows the exception cannot keep the script running. Without an installed budget
/// (script code called outside an evaluation) the checks do nothing.
/// <para>
/// The stack: the threads that evaluate policies have a large stack (1 GiB, so that the base library's recursion
/// through a deep structure a script built cannot overflow it), and a script's own recursion may use at most
/// <see cref="MaxScriptStackBytes"/> of it, measured from where the budget started; on an ordinary stack,
/// <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/> stops it first. An entry check compares the address
/// of a local with the deepest position already checked, so the stack is probed only when a script goes deeper than
/// ever before in this evaluation.
/// </para>
/// </remarks>
public sealed class ScriptBudget : IDisposable
{
    /// <summary>
    /// How much a script may allocate in one evaluation (bytes allocated by its thread, whether or not they are
    /// still alive). The one place the default is defined; <see cref="Start"/> takes another for tests.
    /// </summary>
    public const long DefaultAllocationLimitBytes = 64L * 1024 * 1024;

    /// <summary>The largest <c>stackalloc</c> a script may make, well inside the stack left by the depth check.</summary>
    public const int MaxStackAllocBytes = 16 * 1024;

    /// <summary>
    /// How much stack a script may use, from where its budget started (its own frames and the library's between
    /// them): far more than any sane policy needs, and a small part of an evaluation thread's stack, so a recursive
    /// script neither commits hundreds of MiB of stack nor leaves the library too little of it.
    /// </summary>
    public const int MaxScriptStackBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Checks between two reads of the allocated bytes and the token. Small, because allocations can grow
    /// geometrically (a string doubled in a loop grows 2^n times in n checks): with 4, and checking every time once
    /// the last stretch's growth times 16 would reach the limit, a doubling script stops within about twice its limit.
    /// </summary>
    internal const int CheckInterval = 4;

    /// <summary>
    /// The coarsest tick of <see cref="Environment.TickCount64"/> (Windows' default timer: 15.6 ms; Linux's is 1 to
    /// 10 ms). The clock read at the start may already be that old, so a deadline gets it on top: a script is never
    /// stopped before its whole budget has passed, and at most this much after.
    /// </summary>
    private const long ClockResolutionMs = 16;

    /// <summary>Arrays smaller than this are left to the periodic allocation check.</summary>
    private const long SmallArrayBytes = 4096;

    [ThreadStatic]
    private static ScriptBudget? _current;

    private readonly ScriptBudget? _previous;
    private readonly Thread _thread;
    private readonly long _deadline;
    private readonly long _allocationLimit;
    private readonly CancellationToken _cancellationToken;
    private readonly nuint _stackStart = StackPosition();
    private nuint _stackChecked = nuint.MaxValue; // the deepest position whose stack was checked: none yet
    private int _countdown = 1; // the first check is a full one: a zero budget or a cancelled token stops at once
    private long _lastAllocated;
    private long _lastClock; // Environment.TickCount64, like the deadline
    private BudgetStop _stopped;
    private bool _disposed;

    private ScriptBudget(TimeSpan timeBudget, long allocationLimitBytes, CancellationToken cancellationToken)
    {
        TimeBudget = timeBudget;
        AllocationLimitBytes = allocationLimitBytes;
        _cancellationToken = cancellationToken;
        _thread = Thread.CurrentThread;
        _previous = _current;
        _lastClock = Environment.TickCount64;
        _deadline = timeBudget == TimeSpan.Zero ? _lastClock
            : timeBudget == Timeout.InfiniteTimeSpan || timeBudget.TotalMilliseconds >= long.MaxValue - _lastClock - ClockResolutionMs ? long.MaxValue
            : _lastClock + (long)Math.Ceiling(timeBudget.TotalMilliseconds) + ClockResolutionMs;
        _lastAllocated = GC.GetAllocatedBytesForCurrentThread();
        _allocationLimit = allocationLimitBytes > long.MaxValue - _lastAllocated ? long.MaxValue : _lastAllocated + allocationLimitBytes;
    }

    /// <summary>The time the script was given.</summary>
    public TimeSpan TimeBudget { get; }

    /// <summary>The bytes the script may allocate.</summary>
    public long AllocationLimitBytes { get; }

    /// <summary>Why the script was stopped, or <see cref="BudgetStop.None"/>. Stays set once set.</summary>
    public BudgetStop Stopped => _stopped;

    /// <summary>
    /// Why the script was stopped, in words for a user, e.g. "it ran past its time budget (timeoutSeconds: 2)";
    /// empty when it was not.
    /// </summary>
    public string Explain() => _stopped switch
    {
        BudgetStop.Time => string.Create(CultureInfo.InvariantCulture, $"it ran past its time budget (timeoutSeconds: {TimeBudget.TotalSeconds:0.###})"),
        BudgetStop.Memory => string.Create(CultureInfo.InvariantCulture, $"it allocated more than {AllocationLimitBytes / (1024.0 * 1024):0.##} MiB"),
        BudgetStop.Depth => "call depth exceeded (unbounded recursion?)",
        BudgetStop.Cancelled => "it was cancelled (the caller stopped waiting for it)",
        _ => "",
    };

    /// <summary>The budget installed on this thread, or null.</summary>
    internal static ScriptBudget? Current => _current;

    /// <summary>
    /// Installs a budget on this thread until it is disposed (which restores the budget installed before, if any).
    /// </summary>
    /// <param name="timeBudget">Wall-clock time from now; <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="allocationLimitBytes">Bytes this thread may allocate from now.</param>
    /// <param name="cancellationToken">Stops the script when cancelled (the caller gave up).</param>
    public static ScriptBudget Start(TimeSpan timeBudget, long allocationLimitBytes = DefaultAllocationLimitBytes, CancellationToken cancellationToken = default)
    {
        if (timeBudget < TimeSpan.Zero && timeBudget != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeBudget), timeBudget, "a time budget cannot be negative");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(allocationLimitBytes);
        var budget = new ScriptBudget(timeBudget, allocationLimitBytes, cancellationToken);
        _current = budget;
        return budget;
    }

    /// <summary>Uninstalls the budget, putting back the one it replaced. <see cref="Stopped"/> stays readable.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Thread.CurrentThread != _thread)
        {
            throw new InvalidOperationException("a script budget must be disposed on the thread that started it");
        }

        _disposed = true;
        _current = _previous;
    }

    /// <summary>
    /// One last full check (allocations, the caller's token and the clock), for the evaluator to make right after the
    /// script returns, before it trusts the answer: one library call can allocate far past the budget
    /// (<c>Enumerable.Range(0, n).ToArray()</c>) or run past the deadline with no woven check after it. Records the
    /// stop, if there is one, and returns it without throwing: <see cref="BudgetStop.None"/> when the answer stands.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called on another thread than the one that started the budget
    /// (allocations are counted per thread).</exception>
    public BudgetStop CheckFinal()
    {
        if (Thread.CurrentThread != _thread)
        {
            throw new InvalidOperationException("a script budget must be checked on the thread that started it");
        }

        return Measure();
    }

    /// <summary>Woven at the entry of every method, local function, lambda, accessor, constructor and operator.</summary>
    public static void Enter()
    {
        var budget = _current;
        if (budget is null)
        {
            return;
        }

        if (StackPosition() < budget._stackChecked)
        {
            budget.CheckStack();
        }

        if (--budget._countdown <= 0)
        {
            budget.Check();
        }
    }

    /// <summary>Woven at the start of every loop body and before every <c>goto</c>.</summary>
    public static void Loop()
    {
        var budget = _current;
        if (budget is not null && --budget._countdown <= 0)
        {
            budget.Check();
        }
    }

    /// <summary>
    /// Woven into every <c>catch</c> as a filter: false while the budget is stopped (whatever the exception, so a
    /// stop wrapped by a library, e.g. List.Sort wrapping a comparer's exception, is not caught either) and for
    /// the stop itself. Every exception a script would catch gets a full check first: the call that threw may have
    /// run long (a regular expression that ran into its match timeout) and throwing costs far more than the check.
    /// A filter cannot throw (the runtime would take it as false), so a stop found here is recorded and the filter
    /// says no: the exception goes on up, and no other catch in the script takes it either.
    /// </summary>
    public static bool CanCatch(Exception exception) =>
        exception is not BudgetExceededException && _current?.Measure() is null or BudgetStop.None;

    /// <summary><see cref="Enter"/> as an expression, for field and property initializers: <c>Then(Probe(), value)</c>.</summary>
    public static bool Probe()
    {
        Enter();
        return true;
    }

    /// <summary>Returns <paramref name="value"/>; the probe before it was evaluated first.</summary>
    public static T Then<T>(bool probed, T value)
        where T : allows ref struct => value;

    /// <summary>Woven around the size of <c>new T[n]</c>: stops before an array larger than the budget left is allocated.</summary>
    public static int Length<T>(int length)
    {
        Reserve(length, Unsafe.SizeOf<T>());
        return length;
    }

    /// <inheritdoc cref="Length{T}(int)"/>
    public static long Length<T>(long length)
    {
        Reserve(length, Unsafe.SizeOf<T>());
        return length;
    }

    /// <inheritdoc cref="Length{T}(int)"/>
    public static uint Length<T>(uint length)
    {
        Reserve(length, Unsafe.SizeOf<T>());
        return length;
    }

    /// <inheritdoc cref="Length{T}(int)"/>
    public static ulong Length<T>(ulong length)
    {
        Reserve(length > long.MaxValue ? long.MaxValue : (long)length, Unsafe.SizeOf<T>());
        return length;
    }

    /// <summary>Replaces <c>new T[a, b]</c>: the whole array is weighed, not one dimension at a time.</summary>
    public static T[,] NewArray<T>(long length0, long length1)
    {
        Reserve(Product(length0, length1), Unsafe.SizeOf<T>());
        return new T[length0, length1];
    }

    /// <summary>Replaces <c>new T[a, b, c]</c>.</summary>
    public static T[,,] NewArray<T>(long length0, long length1, long length2)
    {
        Reserve(Product(Product(length0, length1), length2), Unsafe.SizeOf<T>());
        return new T[length0, length1, length2];
    }

    /// <summary>
    /// Woven around the size of <c>stackalloc T[n]</c>: a stack allocation larger than <see cref="MaxStackAllocBytes"/>
    /// is refused, and one the stack has no room for (say, in a loop) stops the script like deep recursion does.
    /// </summary>
    public static int StackLength<T>(int length)
    {
        var budget = _current;
        if (budget is null)
        {
            return length;
        }

        if ((long)length * Unsafe.SizeOf<T>() > MaxStackAllocBytes)
        {
            throw new InsufficientExecutionStackException(
                $"stackalloc of {length} x {Unsafe.SizeOf<T>()} bytes: a policy script may take at most {MaxStackAllocBytes / 1024} KiB from the stack at once");
        }

        if (StackPosition() < budget._stackChecked)
        {
            budget.CheckStack();
        }

        if (--budget._countdown <= 0)
        {
            budget.Check();
        }

        return length;
    }

    private static long Product(long a, long b) =>
        a <= 0 || b <= 0 ? 0 : a > long.MaxValue / b ? long.MaxValue : a * b;

    private static void Reserve(long length, int elementSize)
    {
        var budget = _current;
        if (budget is null)
        {
            return;
        }

        if (--budget._countdown <= 0)
        {
            budget.Check();
        }

        if (length <= 0 || length < SmallArrayBytes / elementSize)
        {
            return; // negative sizes throw OverflowException in the script, as they would without a budget
        }

        var bytes = length > long.MaxValue / elementSize ? long.MaxValue : length * elementSize;
        if (bytes > budget._allocationLimit - GC.GetAllocatedBytesForCurrentThread())
        {
            budget.Stop(BudgetStop.Memory);
        }
    }

    /// <summary>
    /// Where the stack is now: the address of a local in the caller's frame, compared, never dereferenced. The stack
    /// grows down on every platform .NET runs on, so a deeper call has a lower address.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe nuint StackPosition()
    {
        byte marker = 0;
        return (nuint)(&marker);
    }

    /// <summary>
    /// A check deeper in the stack than any before it in this evaluation: stops the script when it has used more than
    /// <see cref="MaxScriptStackBytes"/> since the budget started, or when the thread's stack runs low (ordinary
    /// stacks are 1 to 8 MiB). Otherwise remembers the position: checks above it need not probe again.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckStack()
    {
        var position = StackPosition();
        if ((position < _stackStart && _stackStart - position > MaxScriptStackBytes) || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Stop(BudgetStop.Depth);
        }

        _stackChecked = position;
    }

    /// <summary>The periodic full check: throws the stop, if there is one (<see cref="Measure"/>).</summary>
    private void Check()
    {
        if (Measure() is var stop and not BudgetStop.None)
        {
            Stop(stop);
        }
    }

    /// <summary>
    /// A full check that records a stop without throwing it: the sticky stop, allocations, the caller's token and the
    /// clock, in that order. Sets how many checks until the next full one: <see cref="CheckInterval"/>, or every check
    /// when the allocations or the time are close to their limit.
    /// </summary>
    private BudgetStop Measure()
    {
        if (_stopped != BudgetStop.None)
        {
            return _stopped;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var now = Environment.TickCount64;
        var stop = allocated > _allocationLimit ? BudgetStop.Memory
            : _cancellationToken.IsCancellationRequested ? BudgetStop.Cancelled
            : now >= _deadline ? BudgetStop.Time
            : BudgetStop.None;
        if (stop != BudgetStop.None)
        {
            _stopped = stop;
            _countdown = 0;
            return stop;
        }

        // Close to a limit: allocating fast (the last stretch's growth times 16 would reach it), or the last stretch
        // took a quarter of the time left. Then every check is a full one.
        var hot = (allocated - _lastAllocated) * 16 >= _allocationLimit - allocated
            || (now - _lastClock) * 4 >= _deadline - now;
        _lastAllocated = allocated;
        _lastClock = now;
        _countdown = hot ? 1 : CheckInterval;
        return BudgetStop.None;
    }

    [DoesNotReturn]
    private void Stop(BudgetStop reason)
    {
        _stopped = reason;
        _countdown = 0;
        throw new BudgetExceededException(reason, "script stopped: " + Explain());
    }
}
