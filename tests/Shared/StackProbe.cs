using System.Runtime.CompilerServices;

namespace PolicyGate.Tests.TestSupport;

/// <summary>Measures the stack a thread really has, by recursing until the runtime says it is running low.</summary>
internal static class StackProbe
{
    /// <summary>
    /// The bytes of stack below the caller that recursion could use before
    /// <see cref="RuntimeHelpers.TryEnsureSufficientExecutionStack"/> said no, or <paramref name="atMost"/> if it got
    /// that far first. Every page it reaches is committed, and stays so while the thread lives.
    /// </summary>
    public static long Available(long atMost)
    {
        byte origin = 0;
        return Down(ref origin, atMost);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Down(ref byte origin, long atMost)
    {
        byte here = 0;
        var used = (long)Unsafe.ByteOffset(ref here, ref origin); // the stack grows down
        if (used >= atMost || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            return used;
        }

        var below = Down(ref origin, atMost);
        return Math.Max(used, below); // work after the call: no tail call, so every level keeps its frame
    }
}
