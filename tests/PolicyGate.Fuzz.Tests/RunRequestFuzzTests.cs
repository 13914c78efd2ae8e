using PolicyGate.Cli.Tests;
using PolicyGate.Fuzz.Tests.Fuzzing;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 4, <c>run</c> inputs: <c>policygate run --policy seed-policies.yaml --request FILE</c> on mutated
/// AdmissionReviews. Exit 0 or 1 with a response that echoes the request's uid, or 2 with errors naming the file.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
public sealed class RunRequestFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "run-requests";

    [Fact]
    public async Task Run_MutatedAdmissionReviews_AnswersWithTheUidOrNamesTheFile()
    {
        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(RunRequestFuzzTests)}", output);
        await run.RunAsync(
            defaultCount: 400,
            seed => FuzzCase.Create(Surface, seed, Inputs.ReviewSeeds),
            (fuzzCase, path) => Task.FromResult(Check(fuzzCase, path)));
    }

    private static List<string> Check(FuzzCase fuzzCase, string path)
    {
        var problems = new List<string>();
        var result = CliRunner.Invoke("run", "--policy", Inputs.SeedPolicies, "--request", path);
        CliChecks.Common(result, problems);
        CliChecks.ErrorsNameFile(result, path, problems);
        if (result.ExitCode is 0 or 1)
        {
            if (ReviewUid.Of(fuzzCase.Bytes) is { } uid)
            {
                CliChecks.ReviewAnswer(result, uid, problems);
            }
            else
            {
                problems.Add($"exit {result.ExitCode} for a review that has no request.uid: {CliChecks.Excerpt(result.Out, "")}");
            }
        }

        return problems;
    }
}
