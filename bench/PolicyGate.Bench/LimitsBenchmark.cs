using System.Diagnostics;
using System.Text;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Bench;

/// <summary>
/// How fast hostile YAML and JSON is refused (target: well under 1 s, bounded memory), against the baseline of
/// parsing well-formed manifests of the same size in the same run: a 100,000-deep document in each nesting form,
/// and alias bombs. Prints time and bytes allocated per input, and the limit each one hit.
/// </summary>
internal static class LimitsBenchmark
{
    private const int Depth = 100_000;

    public static void Run()
    {
        var baseline = WellFormed(200_000);
        var inputs = new (string Name, string Text)[]
        {
            ("well-formed manifests (baseline)", baseline),
            ($"flow sequences {Depth:N0} deep", Document(new string('[', Depth) + new string(']', Depth))),
            ($"flow mappings {Depth:N0} deep", Document(string.Concat(Enumerable.Repeat("{a: ", Depth)) + "1" + new string('}', Depth))),
            ($"block sequences {Depth:N0} deep", Document("\n" + string.Concat(Enumerable.Repeat("- ", Depth)) + "x")),
            ($"JSON arrays {Depth:N0} deep", new string('[', Depth) + new string(']', Depth)),
            ("alias bomb, 9 levels of 9", AliasBomb(9, 9)),
            ("alias bomb, 30 levels of 2", AliasBomb(30, 2)),
        };

        Console.WriteLine("Refusal of hostile input (YamlJson.ParseDocuments), median of 5 runs after one warm-up");
        Console.WriteLine($"{"input",-36} {"bytes",9} {"time",10} {"vs baseline",12} {"allocated",11}  result");
        double? baselineMs = null;
        foreach (var (name, text) in inputs)
        {
            ParseDocumentsOnce(text); // warm-up
            var samples = new double[5];
            long allocated = 0;
            IReadOnlyList<YamlDocumentResult> results = [];
            for (var i = 0; i < samples.Length; i++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var watch = Stopwatch.StartNew();
                results = ParseDocumentsOnce(text);
                samples[i] = watch.Elapsed.TotalMilliseconds;
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            var ms = Measure.Median(samples);
            baselineMs ??= ms;
            var error = results.FirstOrDefault(r => r.IsError)?.Error;
            var outcome = error is null ? $"{results.Count} documents parsed" : Shorten(error);
            Console.WriteLine($"{name,-36} {Encoding.UTF8.GetByteCount(text),9:N0} {ms,8:0.0} ms {ms / baselineMs,11:0.00}x {allocated / (1024.0 * 1024),8:0.0} MiB  {outcome}");
        }
    }

    private static IReadOnlyList<YamlDocumentResult> ParseDocumentsOnce(string text) => YamlJson.ParseDocuments(text);

    private static string Document(string data) => "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hostile}\ndata: " + data + "\n";

    /// <summary>Each level is a list of <paramref name="width"/> aliases of the level before.</summary>
    private static string AliasBomb(int levels, int width)
    {
        var text = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  l0: &l0 [lol]\n");
        for (var level = 1; level < levels; level++)
        {
            text.Append("  l").Append(level).Append(": &l").Append(level).Append(" [")
                .AppendJoin(", ", Enumerable.Repeat("*l" + (level - 1), width)).Append("]\n");
        }

        return text.ToString();
    }

    /// <summary>Ordinary multi-document Pod manifests, about <paramref name="bytes"/> long.</summary>
    private static string WellFormed(int bytes)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < bytes; i++)
        {
            text.Append("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-").Append(i)
                .Append("\n  namespace: shop\n  labels: {app: web, tier: front}\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n")
                .Append("    resources: {limits: {cpu: 500m, memory: 256Mi}}\n    securityContext: {runAsNonRoot: true, capabilities: {drop: [ALL]}}\n");
        }

        return text.ToString();
    }

    private static string Shorten(string error) => error.Length <= 90 ? error : error[..87] + "...";
}
