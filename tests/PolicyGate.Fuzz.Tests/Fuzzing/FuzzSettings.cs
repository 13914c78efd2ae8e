using System.Globalization;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// The fuzz suite's switches, read from the environment once:
/// <c>POLICYGATE_FUZZ_SEED</c> (base seed; case <c>i</c> of a surface uses seed <c>base + i</c>) and
/// <c>POLICYGATE_FUZZ_CASES</c> (<c>N</c>: N cases per surface; <c>xK</c>: K times each surface's default count).
/// With neither set the suite is the same every run: <see cref="DefaultSeed"/> and the per-surface defaults.
/// </summary>
internal static class FuzzSettings
{
    public const int DefaultSeed = 20_240_611;

    public const string SeedVariable = "POLICYGATE_FUZZ_SEED";

    public const string CasesVariable = "POLICYGATE_FUZZ_CASES";

    /// <summary>A case that takes longer than this has stalled: it fails with its seed.</summary>
    public static TimeSpan CaseTimeout { get; } = TimeSpan.FromSeconds(10);

    public static int BaseSeed { get; } = ReadSeed();

    /// <summary>How many cases a surface runs, given its default count.</summary>
    public static int Cases(int defaultCount)
    {
        var text = Environment.GetEnvironmentVariable(CasesVariable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return defaultCount;
        }

        if (text.StartsWith('x') && double.TryParse(text[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor > 0)
        {
            return Math.Max(1, (int)Math.Round(defaultCount * factor));
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : throw new InvalidOperationException($"{CasesVariable}=\"{text}\": expected a number of cases (500) or a factor (x10)");
    }

    private static int ReadSeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable)?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return DefaultSeed;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InvalidOperationException($"{SeedVariable}=\"{text}\": expected a whole number");
    }
}
