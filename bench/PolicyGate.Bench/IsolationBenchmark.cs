using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Bench;

/// <summary>
/// What a hop to a worker process costs: the server benchmark's four policies judging its Pod, in-process (the
/// baseline, same run) and each in its own worker process (<c>--isolation process</c>), one request at a time. Besides
/// the wall time per request, it prints the CPU time the whole machine spent per request (this process and its
/// workers, from /proc), which is what a hop costs a loaded server, and the parts of a hop measured alone.
/// Run it pinned to one core (<c>taskset -c 0</c>) to see the cost as bench/server sees it, server and workers on one core.
/// </summary>
internal static class IsolationBenchmark
{
    public static void Run()
    {
        var root = EvaluationBenchmark.RepoRoot();
        var bodyBytes = File.ReadAllBytes(Path.Combine(root, "bench", "server", "admission-review.json"));
        if (!AdmissionReviewDocument.TryParse(bodyBytes, out var document, out var error))
        {
            throw new InvalidOperationException(error);
        }

        using var kept = document;
        var request = new ParsedRequest(document!.Request);
        using var isolation = new IsolationSupervisor(WorkerLauncher.ForExecutableIn(AppContext.BaseDirectory));
        var inProcess = ServerPathBenchmark.LoadPolicies(new PolicyLoader(new PolicyCompiler()));
        var isolated = ServerPathBenchmark.LoadPolicies(new PolicyLoader(new PolicyCompiler(), isolation, forceIsolation: true));
        var expected = AdmissionEvaluator.Review(inProcess, request.Request, _ => null);
        var got = AdmissionEvaluator.Review(isolated, request.Request, _ => null);
        if (!expected.Response.Allowed || !got.Response.Allowed || got.Decisions.Count != expected.Decisions.Count)
        {
            throw new InvalidOperationException("the isolated policies do not answer as the in-process ones");
        }

        var hops = got.Decisions.Count;
        Console.WriteLine($"Isolation: {hops} policies judging the server benchmark's Pod ({bodyBytes.Length} bytes), one request at a time, medians of 7 alternating rounds");
        var rounds = Interleaved(
            () => AdmissionEvaluator.Review(inProcess, request.Request, _ => null), 5_000,
            () => AdmissionEvaluator.Review(isolated, request.Request, _ => null), 1_000);
        var (baseWall, baseCpu) = (Measure.Median(rounds.Select(r => r.BaseWall)), Measure.Median(rounds.Select(r => r.BaseCpu)));
        var (isoWall, isoCpu) = (Measure.Median(rounds.Select(r => r.Wall)), Measure.Median(rounds.Select(r => r.Cpu)));
        var hopCpu = Measure.Median(rounds.Select(r => (r.Cpu - r.BaseCpu) / hops));
        Console.WriteLine($"  {"in-process (baseline)",-40} {baseWall,8:F1} µs wall {baseCpu,8:F1} µs CPU per request");
        Console.WriteLine($"  {"each policy in its own worker process",-40} {isoWall,8:F1} µs wall {isoCpu,8:F1} µs CPU per request  ({Measure.Median(rounds.Select(r => r.Cpu / r.BaseCpu)):F1}x baseline CPU, median of per-round ratios)");
        Console.WriteLine($"  one hop: {Measure.Median(rounds.Select(r => (r.Wall - r.BaseWall) / hops)):F1} µs wall, {hopCpu:F1} µs CPU (server and worker together)");

        Console.WriteLine("  of which, measured alone:");
        var encode = Measure.NanosecondsPerCall(() => WorkerMessages.EncodeEvaluate(1, "policy", request.Request), 20_000) / 1000;
        var frame = WorkerMessages.EncodeEvaluate(1, "policy", request.Request);
        var (header, body) = WorkerMessages.Split(frame);
        header.Dispose();
        var parse = Measure.NanosecondsPerCall(() =>
        {
            if (AdmissionReviewDocument.TryParse(body, out var parsed, out _))
            {
                parsed!.Dispose();
            }
        }, 20_000) / 1000;
        var verdict = WorkerMessages.EncodeVerdict(1, new PolicyVerdict.Allowed(null, null, [], null));
        var decode = Measure.NanosecondsPerCall(() =>
        {
            var (h, b) = WorkerMessages.Split(verdict);
            using (h)
            {
                WorkerMessages.DecodeVerdict(h.RootElement, b, out _);
            }
        }, 20_000) / 1000;
        Console.WriteLine($"    {$"server: write the request ({frame.Length} bytes)",-46} {encode,8:F2} µs");
        Console.WriteLine($"    {"worker: parse it",-46} {parse,8:F2} µs");
        Console.WriteLine($"    {"server: read the verdict",-46} {decode,8:F2} µs");
        Console.WriteLine($"    {"pipes, wake-ups and thread hops (the rest)",-46} {hopCpu - encode - parse - decode,8:F2} µs");
    }

    /// <summary>
    /// Wall and CPU microseconds per call of the baseline and the measured action in alternating rounds (the machine's
    /// speed drifts: each round's pair is compared). CPU is the whole machine's, from /proc/stat, so it counts the workers.
    /// </summary>
    private static List<(double BaseWall, double BaseCpu, double Wall, double Cpu)> Interleaved(Action baseline, int baselineIterations, Action action, int iterations)
    {
        // Warm up for 3 s each at least: on one core, the JIT's background compilation to the final tier takes that long.
        foreach (var warm in new[] { baseline, action })
        {
            var warmup = Stopwatch.StartNew();
            while (warmup.Elapsed < TimeSpan.FromSeconds(3))
            {
                warm();
            }
        }

        var rounds = new List<(double, double, double, double)>();
        for (var round = 0; round < 7; round++)
        {
            var (baseWall, baseCpu) = Once(baseline, baselineIterations);
            var (wall, cpu) = Once(action, iterations);
            rounds.Add((baseWall, baseCpu, wall, cpu));
        }

        return rounds;
    }

    private static (double Wall, double Cpu) Once(Action action, int iterations)
    {
        var cpu0 = MachineCpuSeconds();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            action();
        }

        return (watch.Elapsed.TotalMicroseconds / iterations, (MachineCpuSeconds() - cpu0) * 1e6 / iterations);
    }

    /// <summary>CPU seconds the machine has spent busy (all cores, user and system), from /proc/stat.</summary>
    private static double MachineCpuSeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = 0L;
        for (var i = 1; i < fields.Length; i++)
        {
            if (i is not (4 or 5)) // idle and iowait
            {
                ticks += long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return ticks / 100.0; // USER_HZ
    }
}
