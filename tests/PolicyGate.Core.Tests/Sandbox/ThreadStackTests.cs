using System.Globalization;
using PolicyGate.Core.Sandbox;

namespace PolicyGate.Core.Tests.Sandbox;

/// <summary>
/// The threads the runtime creates, which run in-process evaluations, have the stack Directory.Build.targets sets
/// (System.Threading.DefaultStackSize: 1 GiB) instead of the OS's (8 MiB on Linux, 1.5 MiB on Windows and macOS), so
/// the base library's recursion through a deep structure a script built does not overflow it. Measured, not read.
/// </summary>
public sealed class ThreadStackTests
{
    private const long Configured = 1024L * 1024 * 1024;

    [Fact]
    public void RuntimeConfig_DefaultStackSize_Is1GiB()
    {
        var value = AppContext.GetData("System.Threading.DefaultStackSize");

        Assert.Equal(Configured, Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ThreadPoolThread_Stack_FarLargerThanTheOsDefault()
    {
        const long probe = 64L * 1024 * 1024; // eight times Linux's default, and no more committed than that

        var available = await Task.Run(() => StackProbe.Available(atMost: probe));

        Assert.True(available >= probe, $"a thread-pool thread has only {available / 1024} KiB of stack");
    }

    [Fact]
    public async Task ThreadPoolThread_StackMapping_IsTheConfiguredSize()
    {
        var size = await Task.Run(StackMappingSize);

        AssertConfiguredSize(size);
    }

    [Fact]
    public void NewThread_StackMapping_IsTheConfiguredSize()
    {
        long? size = null;
        var thread = new Thread(() => size = StackMappingSize());
        thread.Start();
        thread.Join();

        AssertConfiguredSize(size);
    }

    private static void AssertConfiguredSize(long? size)
    {
        if (size is { } bytes)
        {
            Assert.InRange(bytes, Configured - (1024 * 1024), Configured + (1024 * 1024)); // give or take guard pages
        }
    }

    /// <summary>
    /// The size of the memory mapping that holds this thread's stack, from /proc/self/maps (address space, nothing is
    /// touched); null where there is no such file (not Linux), where the probe above must do.
    /// </summary>
    private static long? StackMappingSize()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        var here = (ulong)ScriptBudget.StackPosition();
        foreach (var line in File.ReadLines(maps))
        {
            var range = line.AsSpan(0, line.IndexOf(' ', StringComparison.Ordinal));
            var dash = range.IndexOf('-');
            var start = ulong.Parse(range[..dash], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = ulong.Parse(range[(dash + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (start <= here && here < end)
            {
                return (long)(end - start);
            }
        }

        throw new InvalidOperationException("no mapping in /proc/self/maps holds the stack");
    }
}
