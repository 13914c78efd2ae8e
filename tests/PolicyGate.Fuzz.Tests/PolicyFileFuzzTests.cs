using System.Text.Json.Nodes;
using PolicyGate.Cli.Tests;
using PolicyGate.Core.Serialization;
using PolicyGate.Fuzz.Tests.Fuzzing;
using PolicyGate.Kubernetes.Certificates;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// Fuzz surface 2, policy files: mutated policy files (built-in modules only, so no case compiles a script) given to
/// <c>dry-run</c>, <c>run</c> and <c>webhook-config</c> in turn. Exit 0, 1 or 2; on 2 every error names the file; on
/// success the output is what the command promises.
/// </summary>
/// <remarks>Seeds, case counts, and how to rerun one case: <see cref="FuzzSettings"/> and README, "Fuzz suite".</remarks>
public sealed class PolicyFileFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "policy-files";

    [Fact]
    public async Task Commands_MutatedPolicyFiles_ExitCodeAndErrorsNameTheFile()
    {
        using var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(PolicyFileFuzzTests)}", output);
        var caBundle = Path.Combine(run.Folder, "ca.crt");
        await File.WriteAllTextAsync(caBundle, CertificateGenerator.Generate(new ServingCertificateRequest("s", "ns")).CaCertificatePem);
        await run.RunAsync(
            defaultCount: 240,
            seed => FuzzCase.Create(Surface, seed, Inputs.PolicySeeds),
            (fuzzCase, path) => Task.FromResult(Check(fuzzCase, path, caBundle)));
    }

    /// <summary>Case seed <c>s</c> runs command <c>s mod 3</c>, so every command meets every mutator.</summary>
    private static List<string> Check(FuzzCase fuzzCase, string path, string caBundle)
    {
        var problems = new List<string>();
        string command;
        switch ((uint)fuzzCase.Seed % 3)
        {
            case 0:
                var dryRun = CliRunner.Invoke("dry-run", "--policy", path, "--manifests", Inputs.ExampleManifests, "--output", "json");
                command = "dry-run";
                CliChecks.Common(dryRun, problems);
                if (CliChecks.DryRunReport(dryRun, problems) is { } report)
                {
                    CliChecks.ReportErrorsNameFile(dryRun, report, path, problems);
                }

                break;
            case 1:
                var review = CliRunner.Invoke("run", "--policy", path, "--request", Inputs.GoodReview);
                command = "run";
                CliChecks.Common(review, problems);
                CliChecks.ErrorsNameFile(review, path, problems);
                if (review.ExitCode is 0 or 1)
                {
                    CliChecks.ReviewAnswer(review, Inputs.GoodReviewUid, problems);
                }

                break;
            default:
                var config = CliRunner.Invoke("webhook-config", "--policies", path, "--service", "s", "--namespace", "ns", "--ca-bundle", caBundle);
                command = "webhook-config";
                CliChecks.Common(config, problems);
                CliChecks.ErrorsNameFile(config, path, problems);
                if (config.ExitCode == 0)
                {
                    WebhookConfigurations(config.Out, problems);
                }

                break;
        }

        if (problems.Count > 0)
        {
            problems.Insert(0, $"command: {command}");
        }

        return problems;
    }

    /// <summary>webhook-config's output parses back as webhook configurations.</summary>
    private static void WebhookConfigurations(string yaml, List<string> problems)
    {
        var documents = YamlJson.ParseDocuments(yaml);
        if (documents.Count == 0 || documents.Any(d => d.IsError || d.Node is not JsonObject))
        {
            problems.Add($"exit 0 but stdout is not YAML documents: {CliChecks.Excerpt(yaml, "")}");
            return;
        }

        foreach (var kind in documents.Select(d => d.Node!["kind"]?.ToString()))
        {
            if (kind is not ("ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration"))
            {
                problems.Add($"exit 0 but stdout holds a {kind ?? "kindless"} document");
            }
        }
    }
}
