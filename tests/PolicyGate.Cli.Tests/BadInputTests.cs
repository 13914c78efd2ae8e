using System.Text.Json.Nodes;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// Inputs that crashed the CLI (issue 10): each is now an error naming its file and line, the rest of the input is
/// still used, <c>--output json</c> stays JSON, and the exit code is 2, never 1 (which means "denied").
/// </summary>
public class BadInputTests
{
    private static readonly string Seed = Repo("policies/examples/seed-policies.yaml");
    private static readonly string GoodManifests = Repo("policies/examples/manifests/sqlclaims.yaml");

    [Theory]
    [InlineData("flow-left-open.yaml", "line 2, column 1: invalid YAML")]
    [InlineData("flow-at-column-zero.yaml", "line 4, column 1: invalid YAML")]
    public void DryRun_MalformedManifest_ReportedAndTheOtherFilesJudged(string file, string expected)
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", Fixture("cli/bad-input/" + file), GoodManifests, "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        var error = Assert.Single(json["errors"]!.AsArray())!;
        Assert.EndsWith(file + "#1", error["source"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith(expected, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(3, json["answers"]!.AsArray().Count); // the three SQLClaims beside it
        Assert.Equal("", result.Error);
    }

    [Theory]
    [InlineData("dry-run", "--policy", "{policy}", "{seed}", "--manifests", "{manifests}")]
    [InlineData("run", "--policy", "{policy}", "--request", "{review}")]
    [InlineData("webhook-config", "--policies", "{policy}", "--service", "policygate", "--namespace", "policygate", "--inject-ca-from", "policygate/serving")]
    public void Commands_MalformedPolicyFile_ExitTwoNamingFileAndLine(params string[] template)
    {
        var policy = Fixture("cli/bad-input/flow-left-open.yaml");
        var args = template.Select(a => a switch
        {
            "{policy}" => policy,
            "{manifests}" => GoodManifests,
            "{seed}" => Seed,
            "{review}" => Fixture("cli/admission-review-pod.json"),
            _ => a,
        }).ToArray();

        var result = Invoke(args);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("flow-left-open.yaml#1: line 2, column 1: invalid YAML", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_MalformedPolicyBesideAGoodOne_TheGoodOneStillJudges()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/bad-input/flow-left-open.yaml"), Seed, "--manifests", GoodManifests, "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        Assert.Equal(3, json["results"]!.AsArray().Count(r => r!["policy"]!.GetValue<string>() == "sql-size-restriction"));
        Assert.Single(json["errors"]!.AsArray());
    }

    [Fact]
    public void DryRun_FieldOfTheWrongType_OneErrorPerObjectNamingTheField()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", Fixture("cli/bad-input/wrong-types.yaml"), "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        var errors = json["errors"]!.AsArray().Select(e => (Source: e!["source"]!.GetValue<string>(), Message: e["message"]!.GetValue<string>())).ToList();
        Assert.Equal(2, errors.Count);
        Assert.EndsWith("wrong-types.yaml#1", errors[0].Source, StringComparison.Ordinal);
        Assert.Equal(
            "Pod shop/numeric-label: metadata.labels['app.kubernetes.io/version']: expected a string or null, got a number (the API server would refuse this object)",
            errors[0].Message);
        Assert.EndsWith("wrong-types.yaml#2", errors[1].Source, StringComparison.Ordinal);
        Assert.StartsWith("Pod shop/containers-string: spec.containers: expected an array", errors[1].Message, StringComparison.Ordinal);

        // Neither Pod reached a policy; the well-formed object beside them did.
        var judged = Assert.Single(json["results"]!.AsArray())!;
        Assert.Equal("fine", judged["object"]!["name"]!.GetValue<string>());
        Assert.True(judged["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void AnyCommand_UnexpectedFailure_ExitTwoWithOneLine()
    {
        // A closed pipe on standard output (policygate dry-run ... | head) is the everyday unexpected failure.
        using var error = new StringWriter();
        var code = CliApp.Run(["dry-run", "--policy", Seed, "--manifests", GoodManifests], new CliConsole(new StringReader(""), new BrokenWriter(), error, IsTerminal: false));

        Assert.Equal(ExitCodes.InputError, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("error: internal error: IOException: Broken pipe (run again with --verbose for the stack trace)", line);
    }

    [Fact]
    public void AnyCommand_UnexpectedFailureWithVerbose_PrintsTheStackTrace()
    {
        using var error = new StringWriter();
        var code = CliApp.Run(["dry-run", "--verbose", "--policy", Seed, "--manifests", GoodManifests], new CliConsole(new StringReader(""), new BrokenWriter(), error, IsTerminal: false));

        Assert.Equal(ExitCodes.InputError, code);
        Assert.StartsWith("error: internal error: IOException: Broken pipe\n", error.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("at PolicyGate.Cli.Tests.BadInputTests.BrokenWriter.Write", error.ToString(), StringComparison.Ordinal);
    }

    private sealed class BrokenWriter : StringWriter
    {
        public override void Write(char value) => throw new IOException("Broken pipe");

        public override void Write(string? value) => throw new IOException("Broken pipe");

        public override void WriteLine(string? value) => throw new IOException("Broken pipe");
    }
}
