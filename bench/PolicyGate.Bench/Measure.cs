using System.Diagnostics;

namespace PolicyGate.Bench;

/// <summary>Small timing helpers: warm up, then the median of several rounds.</summary>
internal static class Measure
{
    /// <summary>Median nanoseconds per call of <paramref name="action"/> over <paramref name="rounds"/> rounds.</summary>
    public static double NanosecondsPerCall(Action action, int iterations, int rounds = 7)
    {
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        var samples = new double[rounds];
        for (var r = 0; r < rounds; r++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < iterations; i++)
            {
                action();
            }

            samples[r] = watch.Elapsed.TotalNanoseconds / iterations;
        }

        Array.Sort(samples);
        return samples[rounds / 2];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }
}
