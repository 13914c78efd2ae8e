using System.Text.Json.Nodes;
using PolicyGate.Cli.Tests;
using PolicyGate.Fuzz.Tests.Fuzzing;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 1, manifests: <c>policygate dry-run --policy seed-policies.yaml --manifests FILE GOOD --output json</c>
/// on mutated manifests, with a known-good manifest file beside them. Exit 0, 1 or 2 as the JSON report says; every
/// error's source is the file (or <c>file#N</c>); the good file is judged as it is on its own.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
public sealed class ManifestFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "manifests";

    private static readonly IReadOnlyList<SeedInput> Seeds = SeedInput.Load(
        "policies/examples/manifests",
        "tests/fixtures/manifests",
        "tests/fixtures/conformance/pod-security-admission");

    private static readonly string GoodManifests = Inputs.Repo("policies/examples/manifests/pods.yaml");

    [Fact]
    public async Task DryRun_MutatedManifests_ReportsErrorsAndStillJudgesTheGoodFile()
    {
        var baseline = GoodAnswers(DryRun(GoodManifests));
        Assert.NotEmpty(baseline);
        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(ManifestFuzzTests)}", output);
        await run.RunAsync(
            defaultCount: 400,
            seed => FuzzCase.Create(Surface, seed, Seeds),
            (fuzzCase, path) => Task.FromResult(Check(path, baseline)));
    }

    private static List<string> Check(string path, string baseline)
    {
        var problems = new List<string>();
        var result = DryRun(path, GoodManifests);
        CliChecks.Common(result, problems);
        if (CliChecks.DryRunReport(result, problems) is not { } report)
        {
            return problems;
        }

        CliChecks.ReportErrorsNameFile(result, report, path, problems);
        var good = GoodAnswers(result);
        if (good != baseline)
        {
            problems.Add($"the good file beside it was not judged as on its own: {CliChecks.Excerpt(good, "")}");
        }

        return problems;
    }

    private static CliOutput DryRun(params string[] manifests) =>
        CliRunner.Invoke(["dry-run", "--policy", Inputs.SeedPolicies, "--manifests", .. manifests, "--output", "json"]);

    /// <summary>The answers for the good file's objects, as text to compare.</summary>
    private static string GoodAnswers(CliOutput result)
    {
        var answers = JsonNode.Parse(result.Out)?["answers"]?.AsArray() ?? [];
        return new JsonArray(answers
            .Where(a => a?["object"]?["source"]?.GetValue<string>().StartsWith(GoodManifests, StringComparison.Ordinal) == true)
            .Select(a => a!.DeepClone())
            .ToArray()).ToJsonString();
    }
}
