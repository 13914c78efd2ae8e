using System.Diagnostics;

namespace PolicyGate.Kubernetes.Tests;

/// <summary>Polls a condition with a deadline: how these tests wait for something another thread does (never a sleep).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what = "the condition", int timeoutMs = 10_000)
    {
        var deadline = Stopwatch.GetTimestamp() + (timeoutMs * Stopwatch.Frequency / 1000);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Timed out after {timeoutMs} ms waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}
