using System.Text;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// One generated input: which surface it is for, the seed input and mutators it came from, and the case seed that
/// reproduces it (<see cref="Create"/> with the same surface and seed gives the same bytes).
/// </summary>
internal sealed record FuzzCase(string Surface, int Seed, string SeedName, IReadOnlyList<string> Chain, byte[] Bytes, string Extension)
{
    /// <summary>Every mutator, in a fixed order: case seed <c>s</c> always starts with mutator <c>s mod count</c>.</summary>
    public static IReadOnlyList<Mutator> AllMutators { get; } = [.. TreeMutators.All, .. TextMutators.All, .. ByteMutators.All];

    /// <summary>
    /// Builds the case for <paramref name="seed"/>: a seed input, the mutator <c>seed mod count</c> (so consecutive
    /// seeds try every mutator), up to two more at random (at most one heavy one), applied in stage order.
    /// </summary>
    public static FuzzCase Create(string surface, int seed, IReadOnlyList<SeedInput> inputs, IReadOnlyList<Mutator>? mutators = null)
    {
        mutators ??= AllMutators;
        var random = new Random(seed ^ StableHash(surface));
        var input = inputs[random.Next(inputs.Count)];
        var chosen = new List<Mutator> { mutators[(int)((uint)seed % (uint)mutators.Count)] };
        var extra = random.Next(3);
        for (var i = 0; i < extra; i++)
        {
            var next = mutators[random.Next(mutators.Count)];
            if (!(next.Heavy && chosen.Any(m => m.Heavy)) && !(next.Stage == MutationStage.Encoding && chosen.Any(m => m.Stage == MutationStage.Encoding)))
            {
                chosen.Add(next);
            }
        }

        var bytes = input.Bytes;
        var chain = new List<string>();
        foreach (var mutator in chosen.OrderBy(m => m.Stage))
        {
            var mutated = mutator.Apply(random, bytes, input.Format);
            if (mutated is null)
            {
                chain.Add($"{mutator.Name}(does not apply)");
                continue;
            }

            bytes = mutated.Bytes;
            chain.Add($"{mutator.Name}({mutated.Detail})");
        }

        return new FuzzCase(surface, seed, input.Name, chain, bytes, input.Extension);
    }

    /// <summary>What a failure message says about the case: enough to see it, save it, and run it again.</summary>
    public string Describe(string savedPath, string testName) =>
        $"""
        surface: {Surface}
        case seed: {Seed}  (run it alone: {FuzzSettings.SeedVariable}={Seed} {FuzzSettings.CasesVariable}=1 dotnet test tests/PolicyGate.Fuzz.Tests --filter {testName})
        seed input: {SeedName}
        mutators: {string.Join(" > ", Chain)}
        input: {Bytes.Length:N0} bytes, saved in full at {savedPath}
        first {Math.Min(Bytes.Length, PreviewBytes):N0} bytes, escaped: {Preview(Bytes)}
        """;

    private const int PreviewBytes = 2048;

    /// <summary>Printable ASCII as it is, everything else as <c>\n</c>, <c>\t</c>, ... or <c>\xNN</c> (so invalid UTF-8 shows).</summary>
    private static string Preview(byte[] bytes)
    {
        var builder = new StringBuilder("\"");
        foreach (var b in bytes.AsSpan(0, Math.Min(bytes.Length, PreviewBytes)))
        {
            builder.Append(b switch
            {
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                _ => $"\\x{b:X2}",
            });
        }

        return builder.Append(bytes.Length > PreviewBytes ? "\" ..." : "\"").ToString();
    }

    /// <summary>FNV-1a: string.GetHashCode differs between processes, and a case must not.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }
}
