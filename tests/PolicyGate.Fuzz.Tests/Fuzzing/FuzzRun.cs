using System.Diagnostics;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// Runs the cases of one surface: writes each input to a file of its own, checks it under
/// <see cref="FuzzSettings.CaseTimeout"/> (or the surface's own limit), deletes the file when the case passes, and fails the test at the end with
/// every failing case described (its file is kept). A case that kills the process (a stack overflow) leaves its file
/// behind too, named after the surface and the case seed.
/// </summary>
internal sealed class FuzzRun : IDisposable
{
    /// <summary>After this many failing cases the rest are not run: the first ones are the report.</summary>
    private const int MaxFailures = 5;

    private readonly string _surface;
    private readonly string _filter;
    private readonly ITestOutputHelper _output;
    private readonly List<string> _failures = [];
    private readonly TimeSpan _caseTimeout;

    /// <param name="filter">The <c>dotnet test --filter</c> that runs just this test, for the failure message.</param>
    /// <param name="caseTimeout">
    /// When a case has stalled, for a surface whose cases may legitimately take longer than
    /// <see cref="FuzzSettings.CaseTimeout"/> (policies with long time budgets); that limit when null.
    /// </param>
    public FuzzRun(string surface, string filter, ITestOutputHelper output, TimeSpan? caseTimeout = null)
    {
        _surface = surface;
        _filter = filter;
        _output = output;
        _caseTimeout = caseTimeout ?? FuzzSettings.CaseTimeout;
        Folder = Directory.CreateTempSubdirectory($"policygate-fuzz-{surface}-").FullName;
    }

    /// <summary>Where this run's inputs are written (and the failing ones kept).</summary>
    public string Folder { get; }

    /// <summary>
    /// Runs the surface's cases, seeds <c>base</c> to <c>base + count - 1</c>. <paramref name="check"/> gets the case
    /// and the path of its input file and returns what is wrong (nothing, for a pass).
    /// </summary>
    public async Task RunAsync(int defaultCount, Func<int, FuzzCase> create, Func<FuzzCase, string, Task<List<string>>> check)
    {
        var count = FuzzSettings.Cases(defaultCount);
        var total = Stopwatch.StartNew();
        var slowest = (Seed: 0, Time: TimeSpan.Zero);
        var run = 0;
        for (var i = 0; i < count && _failures.Count < MaxFailures; i++)
        {
            var seed = unchecked(FuzzSettings.BaseSeed + i);
            FuzzCase fuzzCase;
            try
            {
                fuzzCase = create(seed);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"the fuzzer itself failed to make {_surface} case {seed}", ex);
            }

            var path = Path.Combine(Folder, $"{_surface}-{fuzzCase.Seed}{fuzzCase.Extension}");
            await File.WriteAllBytesAsync(path, fuzzCase.Bytes);
            var watch = Stopwatch.StartNew();
            List<string> problems;
            try
            {
                problems = await Task.Run(() => check(fuzzCase, path)).WaitAsync(_caseTimeout);
            }
            catch (TimeoutException)
            {
                problems = [$"stalled: no answer after {_caseTimeout.TotalSeconds:0} s (the case may still be running)"];
            }
            catch (Exception ex)
            {
                problems = [$"the check threw {ex}"];
            }

            run++;
            if (watch.Elapsed > slowest.Time)
            {
                slowest = (fuzzCase.Seed, watch.Elapsed);
            }

            if (problems.Count == 0)
            {
                File.Delete(path);
            }
            else
            {
                _failures.Add(fuzzCase.Describe(path, _filter) + "\nwhat is wrong:\n" + string.Join("\n", problems.Select(p => "  - " + p)));
            }
        }

        _output.WriteLine($"{_surface}: {run} case(s) in {total.Elapsed.TotalSeconds:0.0} s; slowest: seed {slowest.Seed}, {slowest.Time.TotalMilliseconds:0} ms");
        if (_failures.Count > 0)
        {
            Assert.Fail($"{_failures.Count} of {run} {_surface} case(s) failed" + (_failures.Count == MaxFailures ? " (stopped there)" : "") +
                ":\n\n" + string.Join("\n\n", _failures));
        }
    }

    public void Dispose()
    {
        if (_failures.Count == 0 && Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
