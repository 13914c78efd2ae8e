using System.Text.Json.Nodes;
using PolicyGate.Cli.Tests;
using PolicyGate.Fuzz.Tests.Fuzzing;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 3, settings: each built-in module with settings of the wrong shape, type or size, through
/// <c>dry-run --output json</c>. Either the policy is refused at load with <c>spec.settings</c> in every error, or it
/// loads and then judges every object without failing: settings are checked when the policy loads, "instead of failing
/// on every request" (README).
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
public sealed class SettingsFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "settings";

    [Fact]
    public async Task DryRun_BuiltinsWithOddSettings_RefusedAtLoadOrJudgeWithoutFailing()
    {
        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(SettingsFuzzTests)}", output);
        await run.RunAsync(
            defaultCount: 240,
            seed => SettingsGenerator.Create(Surface, seed),
            (fuzzCase, path) => Task.FromResult(Check(path)));
    }

    private static List<string> Check(string path)
    {
        var problems = new List<string>();
        var result = CliRunner.Invoke("dry-run", "--policy", path, "--manifests", Inputs.ExampleManifests, Inputs.PvcManifests, "--output", "json");
        CliChecks.Common(result, problems);
        if (CliChecks.DryRunReport(result, problems) is not { } report)
        {
            return problems;
        }

        CliChecks.ReportErrorsNameFile(result, report, path, problems);
        foreach (var message in report["errors"]!.AsArray().Select(e => e?["message"]?.GetValue<string>() ?? ""))
        {
            if (!message.Contains("spec.settings", StringComparison.Ordinal))
            {
                problems.Add($"a settings error does not say spec.settings: {CliChecks.Excerpt(message, "")}");
            }
        }

        foreach (var failed in report["results"]!.AsArray().Where(r => r?["outcome"]?.GetValue<string>() == "failed"))
        {
            problems.Add($"the settings loaded, then the policy failed on {failed!["object"]?["source"]}: {CliChecks.Excerpt(failed["message"]?.ToString() ?? "", "")}");
        }

        return problems;
    }
}
