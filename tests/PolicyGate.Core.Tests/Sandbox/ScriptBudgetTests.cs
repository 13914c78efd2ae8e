using System.Text.RegularExpressions;
using PolicyGate.Core.Sandbox;

namespace PolicyGate.Core.Tests.Sandbox;

public sealed class ScriptBudgetTests
{
    private static readonly TimeSpan Plenty = TimeSpan.FromMinutes(5);

    [Fact]
    public void Checks_NoBudgetInstalled_DoNothing()
    {
        Assert.Null(ScriptBudget.Current);
        for (var i = 0; i < 100_000; i++)
        {
            ScriptBudget.Enter();
            ScriptBudget.Loop();
        }

        Assert.Equal(1 << 30, ScriptBudget.Length<byte>(1 << 30)); // no budget: even a huge array passes
        Assert.True(ScriptBudget.CanCatch(new InvalidOperationException()));
    }

    [Fact]
    public void Loop_ZeroTimeBudget_StopsAtFirstCheckWithTime()
    {
        using var budget = ScriptBudget.Start(TimeSpan.Zero);

        var stop = Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);

        Assert.Equal(BudgetStop.Time, stop.Reason);
        Assert.Equal(BudgetStop.Time, budget.Stopped);
        Assert.Equal("it ran past its time budget (timeoutSeconds: 0)", budget.Explain());
    }

    [Fact]
    public void Loop_DeadlinePasses_StopsWithinTheBudget()
    {
        using var budget = ScriptBudget.Start(TimeSpan.FromMilliseconds(50));
        var started = System.Diagnostics.Stopwatch.StartNew();

        var stop = Assert.Throws<BudgetExceededException>(() =>
        {
            while (started.Elapsed < TimeSpan.FromSeconds(30))
            {
                ScriptBudget.Loop();
            }
        });

        Assert.Equal(BudgetStop.Time, stop.Reason);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"stopped after {started.Elapsed}");
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(50), $"stopped before its budget had passed: {started.Elapsed}");
    }

    [Fact]
    public void Loop_DeadlinePassesInOneLongLibraryCall_StopsAtTheNextFullCheck()
    {
        using var budget = ScriptBudget.Start(TimeSpan.FromMilliseconds(50));
        ScriptBudget.Loop(); // the first check is a full one; the next comes CheckInterval checks later
        RunIntoRegexTimeout(TimeSpan.FromMilliseconds(100)); // one call, longer than the whole budget
        var checks = 0;

        var stop = Assert.Throws<BudgetExceededException>(() =>
        {
            while (checks < 1000)
            {
                checks++;
                ScriptBudget.Loop();
            }
        });

        Assert.Equal(BudgetStop.Time, stop.Reason);
        Assert.InRange(checks, 1, ScriptBudget.CheckInterval); // the clock is read at every full check
    }

    [Fact]
    public void CanCatch_RegexTimeoutsCaughtPastTheDeadline_StopsAtOnceWithTime()
    {
        using var budget = ScriptBudget.Start(TimeSpan.FromMilliseconds(100));
        ScriptBudget.Loop();
        var caught = 0;

        // A script's loop that catches every regex timeout, with no other check in it: each catch checks the clock.
        while (caught < 100)
        {
            try
            {
                RunIntoRegexTimeout(TimeSpan.FromMilliseconds(50), rethrow: true);
            }
            catch (RegexMatchTimeoutException e) when (ScriptBudget.CanCatch(e))
            {
                caught++;
            }
            catch (RegexMatchTimeoutException)
            {
                break; // what the script cannot catch goes on up to the evaluator
            }
        }

        Assert.Equal(BudgetStop.Time, budget.Stopped);
        Assert.InRange(caught, 1, 3); // 50 ms timeouts against a 100 ms budget
    }

    [Fact]
    public void CanCatch_AllocationsPastTheLimit_FalseAndStopsWithMemory()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 1024 * 1024);
        ScriptBudget.Loop();
        var big = new byte[2 * 1024 * 1024];

        Assert.False(ScriptBudget.CanCatch(new InvalidOperationException()));
        Assert.Equal(BudgetStop.Memory, budget.Stopped);
        Assert.Equal(2 * 1024 * 1024, big.Length);
    }

    [Fact]
    public void CheckFinal_OneAllocationPastTheLimitAfterTheLastCheck_ReportsMemoryWithoutThrowing()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 1024 * 1024);
        ScriptBudget.Loop();
        var numbers = Enumerable.Range(0, 1_000_000).ToArray(); // 4 MB in one library call, no check after it

        var stop = budget.CheckFinal();

        Assert.Equal(BudgetStop.Memory, stop);
        Assert.Equal(BudgetStop.Memory, budget.Stopped);
        Assert.Equal("it allocated more than 1 MiB", budget.Explain());
        Assert.Throws<BudgetExceededException>(ScriptBudget.Loop); // and it stays stopped
        Assert.Equal(1_000_000, numbers.Length);
    }

    [Fact]
    public void CheckFinal_DeadlinePassedAfterTheLastCheck_ReportsTime()
    {
        using var budget = ScriptBudget.Start(TimeSpan.FromMilliseconds(50));
        ScriptBudget.Loop();
        RunIntoRegexTimeout(TimeSpan.FromMilliseconds(100));

        Assert.Equal(BudgetStop.Time, budget.CheckFinal());
    }

    [Fact]
    public void CheckFinal_WithinTheBudget_ReportsNoneAndTheBudgetGoesOn()
    {
        using var budget = ScriptBudget.Start(Plenty);
        ScriptBudget.Loop();

        Assert.Equal(BudgetStop.None, budget.CheckFinal());
        Assert.Equal(BudgetStop.None, budget.Stopped);
        ScriptBudget.Loop();
        Assert.Equal("", budget.Explain());
    }

    [Fact]
    public void CheckFinal_AlreadyStopped_ReportsThatStop()
    {
        using var budget = ScriptBudget.Start(TimeSpan.Zero, cancellationToken: new CancellationToken(canceled: true));
        Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);

        Assert.Equal(BudgetStop.Cancelled, budget.CheckFinal());
    }

    [Fact]
    public void CheckFinal_OtherThread_Throws()
    {
        using var budget = ScriptBudget.Start(Plenty);
        Exception? thrown = null;

        var other = new Thread(() => thrown = Record.Exception(() => budget.CheckFinal()));
        other.Start();
        other.Join();

        Assert.IsType<InvalidOperationException>(thrown);
    }

    [Fact]
    public void Checks_AfterStop_ThrowAgainEveryTime()
    {
        using var budget = ScriptBudget.Start(TimeSpan.Zero);
        Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);

        for (var i = 0; i < 1000; i++)
        {
            Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);
            Assert.Throws<BudgetExceededException>(ScriptBudget.Enter);
        }

        Assert.Equal(BudgetStop.Time, budget.Stopped);
    }

    [Fact]
    public void CanCatch_WhileStopped_FalseForAnyException()
    {
        using var budget = ScriptBudget.Start(Plenty);
        Assert.True(ScriptBudget.CanCatch(new InvalidOperationException()));
        Assert.False(ScriptBudget.CanCatch(new BudgetExceededException(BudgetStop.Time, "x")));

        using var stopped = ScriptBudget.Start(TimeSpan.Zero);
        var stop = Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);

        Assert.False(ScriptBudget.CanCatch(stop));
        Assert.False(ScriptBudget.CanCatch(new InvalidOperationException("wrapped", stop)));
        Assert.False(ScriptBudget.CanCatch(new FormatException()));
    }

    [Fact]
    public void Loop_AllocationsPastTheLimit_StopsWithMemory()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 1024 * 1024);
        var kept = new List<byte[]>();

        var stop = Assert.Throws<BudgetExceededException>(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                ScriptBudget.Loop();
                kept.Add(new byte[1024]);
            }
        });

        Assert.Equal(BudgetStop.Memory, stop.Reason);
        Assert.InRange(kept.Count, 900, 2100); // about 1 MiB (1 KiB arrays and the list holding them), not much more
        Assert.Equal("it allocated more than 1 MiB", budget.Explain());
    }

    [Fact]
    public void Loop_DoublingAllocations_StopsSoonAfterTheLimit()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 8 * 1024 * 1024);
        var text = "a";

        void DoubleForever()
        {
            while (true)
            {
                ScriptBudget.Loop();
                text += text;
            }
        }

        Assert.Throws<BudgetExceededException>(DoubleForever);

        Assert.InRange(text.Length * 2L, 0, 4 * 8 * 1024 * 1024); // stopped within a few doublings of the limit
    }

    [Fact]
    public void Length_ArrayLargerThanTheBudgetLeft_StopsBeforeAllocating()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 1024 * 1024);
        Assert.Equal(100, SmallArray().Length);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var stop = Assert.Throws<BudgetExceededException>(() => ScriptBudget.Length<long>(1_000_000));

        Assert.Equal(BudgetStop.Memory, stop.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void NewArray_TwoDimensionsTooLargeTogether_Stops()
    {
        using var budget = ScriptBudget.Start(Plenty, allocationLimitBytes: 1024 * 1024);

        Assert.Equal(4, ScriptBudget.NewArray<int>(2, 2).Length);
        Assert.Throws<BudgetExceededException>(() => ScriptBudget.NewArray<int>(1000, 1000));
    }

    [Fact]
    public void Enter_RunawayRecursion_StopsWithDepthBeforeTheStackRunsOut()
    {
        using var budget = ScriptBudget.Start(Plenty);

        var stop = Assert.Throws<BudgetExceededException>(() => Recurse(0));

        Assert.Equal(BudgetStop.Depth, stop.Reason);
        Assert.Equal("call depth exceeded (unbounded recursion?)", budget.Explain());
    }

    [Fact]
    public void Enter_RecursionOnALargeStack_StopsAtTheScriptStackLimit()
    {
        // A thread with a stack four times the limit: TryEnsureSufficientExecutionStack would let it go much deeper.
        var (stop, used) = RecurseOnThread(maxStackSize: 4 * ScriptBudget.MaxScriptStackBytes);

        Assert.Equal(BudgetStop.Depth, stop);
        Assert.InRange(used, ScriptBudget.MaxScriptStackBytes - 4096, ScriptBudget.MaxScriptStackBytes + 4096);
    }

    [Fact]
    public void Enter_RecursionOnASmallStack_StopsBeforeTheStackRunsOut()
    {
        var (stop, used) = RecurseOnThread(maxStackSize: 1024 * 1024);

        Assert.Equal(BudgetStop.Depth, stop);
        Assert.InRange(used, 256 * 1024, 1024 * 1024);
    }

    [Fact]
    public void StackLength_MoreThanTheStackAllocLimit_Refused()
    {
        using var budget = ScriptBudget.Start(Plenty);

        Assert.Equal(1024, ScriptBudget.StackLength<byte>(1024));
        Assert.Throws<InsufficientExecutionStackException>(() => ScriptBudget.StackLength<long>(ScriptBudget.MaxStackAllocBytes));
        Assert.Equal(BudgetStop.None, budget.Stopped);
    }

    [Fact]
    public void Loop_CallerCancels_StopsWithCancelled()
    {
        using var cancel = new CancellationTokenSource();
        using var budget = ScriptBudget.Start(Plenty, cancellationToken: cancel.Token);
        ScriptBudget.Loop();
        cancel.Cancel();

        var stop = Assert.Throws<BudgetExceededException>(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                ScriptBudget.Loop();
            }
        });

        Assert.Equal(BudgetStop.Cancelled, stop.Reason);
    }

    [Fact]
    public void Dispose_NestedBudgets_RestoresTheOuterOne()
    {
        using var outer = ScriptBudget.Start(Plenty);
        using (var inner = ScriptBudget.Start(TimeSpan.Zero))
        {
            Assert.Same(inner, ScriptBudget.Current);
            Assert.Throws<BudgetExceededException>(ScriptBudget.Loop);
        }

        Assert.Same(outer, ScriptBudget.Current);
        ScriptBudget.Loop(); // the outer budget is not stopped
        Assert.True(ScriptBudget.CanCatch(new InvalidOperationException()));
        outer.Dispose();
        Assert.Null(ScriptBudget.Current);
    }

    [Fact]
    public void Budget_OtherThread_NotSeen()
    {
        // Synchronous on purpose: an await could resume on another thread and leave this budget installed here.
        using var budget = ScriptBudget.Start(TimeSpan.Zero);
        ScriptBudget? seen = budget;

        var other = new Thread(() => seen = ScriptBudget.Current);
        other.Start();
        other.Join();

        Assert.Null(seen);
    }

    [Fact]
    public void RegexTimeout_ModuleInitializer_SetsTheProcessDefault()
    {
        // Whether Regex picked it up depends on whether the host used Regex first (a test host does), which is why
        // the compiler also gives every regex a script builds the timeout explicitly.
        RegexTimeout.Install();

        Assert.Equal(RegexTimeout.Default, AppContext.GetData(RegexTimeout.AppContextKey));
    }

    [Fact]
    public void RegexTimeout_Clamp_NeverLongerThanTheDefault()
    {
        Assert.Equal(RegexTimeout.Default, RegexTimeout.Clamp(Regex.InfiniteMatchTimeout));
        Assert.Equal(RegexTimeout.Default, RegexTimeout.Clamp(TimeSpan.FromHours(1)));
        Assert.Equal(TimeSpan.FromMilliseconds(10), RegexTimeout.Clamp(TimeSpan.FromMilliseconds(10)));
    }

    /// <summary>A catastrophic pattern that runs until its match timeout: a long library call, without sleeping.</summary>
    private static void RunIntoRegexTimeout(TimeSpan timeout, bool rethrow = false)
    {
        try
        {
            Assert.Fail($"the match ended before its timeout: {Regex.IsMatch(new string('a', 40) + "!", "^(a+)+$", RegexOptions.None, timeout)}");
        }
        catch (RegexMatchTimeoutException) when (!rethrow)
        {
        }
    }

    private static int Recurse(int depth)
    {
        ScriptBudget.Enter();
        return Recurse(depth + 1) + 1;
    }

    /// <summary>
    /// Unbounded recursion with an entry check, under a budget, on a thread of the given stack size: why it stopped,
    /// and how much stack it had used from the budget's start at the deepest check.
    /// </summary>
    private static (BudgetStop Stop, long Used) RecurseOnThread(int maxStackSize)
    {
        var stop = BudgetStop.None;
        long used = 0;
        var thread = new Thread(
            () =>
            {
                using var budget = ScriptBudget.Start(Plenty);
                var start = ScriptBudget.StackPosition();
                var deepest = start;
                int Down(int depth)
                {
                    ScriptBudget.Enter();
                    deepest = Math.Min(deepest, ScriptBudget.StackPosition());
                    return Down(depth + 1) + 1;
                }

                stop = Record.Exception(() => Down(0)) is BudgetExceededException e ? e.Reason : BudgetStop.None;
                used = (long)(start - deepest);
            },
            maxStackSize);
        thread.Start();
        thread.Join();
        return (stop, used);
    }

    private static byte[] SmallArray() => new byte[ScriptBudget.Length<byte>(100)];
}
