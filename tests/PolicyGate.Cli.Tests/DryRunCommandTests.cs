using System.Text.Json.Nodes;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

public class DryRunCommandTests
{
    private static readonly string Seed = Repo("policies/examples/seed-policies.yaml");
    private static readonly string SeedManifests = Repo("policies/examples/manifests");

    [Fact]
    public void DryRun_SeedExamplesAsJson_MatchesGoldenAndExitsDenied()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", SeedManifests, "--output", "json");

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        Golden.AssertJson("dry-run-seed.json", result.Out);
    }

    [Fact]
    public void DryRun_SeedExamplesAsTable_OneRowPerObjectAndPolicy()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", SeedManifests);

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("Pod shop/web", StringComparison.Ordinal) && l.Contains("allowed", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("SQLClaim shop/analytics-db", StringComparison.Ordinal) && l.Contains("denied", StringComparison.Ordinal) && l.Contains("\"xxl\" is not allowed", StringComparison.Ordinal));
        Assert.Contains("7 object(s), 2 policies, 6 decision(s): 2 allowed (0 mutated), 4 denied, 0 error(s)", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.DoesNotContain(lines, l => l.EndsWith(' '));
    }

    [Fact]
    public void DryRun_BrokenDocuments_ReportedAndOthersStillJudged()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", Fixture("cli/broken-manifests.yaml"), "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        Assert.Equal(["first", "last"], json["results"]!.AsArray().Select(r => r!["object"]!["name"]!.GetValue<string>()));
        Assert.Equal([true, false], json["results"]!.AsArray().Select(r => r!["allowed"]!.GetValue<bool>()));
        var errors = json["errors"]!.AsArray().Select(e => (Source: e!["source"]!.GetValue<string>(), Message: e["message"]!.GetValue<string>())).ToList();
        Assert.Equal(2, errors.Count);
        Assert.EndsWith("broken-manifests.yaml#2", errors[0].Source, StringComparison.Ordinal);
        Assert.Contains("line", errors[0].Message, StringComparison.Ordinal);
        Assert.EndsWith("broken-manifests.yaml#3", errors[1].Source, StringComparison.Ordinal);
        Assert.Contains("apiVersion", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_PolicyErrors_ExitTwoAndNameFileLineAndSetting()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/compile-error-policy.yaml"), "--manifests", SeedManifests);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("compile-error-policy.yaml#1: policy typo: compile error:", result.Error, StringComparison.Ordinal);
        Assert.Contains("(2,8): error CS0103", result.Error, StringComparison.Ordinal);
        Assert.Contains("compile-error-policy.yaml#2: policy bad-settings: spec.settings: setting 'maxLimits.cpu'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_PolicyRefusedBySandbox_ExitTwoNamingApiAndLine()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/sandbox-refused-policy.yaml"), "--manifests", SeedManifests);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("sandbox-refused-policy.yaml#1: policy token-thief: compile error:", result.Error, StringComparison.Ordinal);
        Assert.Contains("(1,28): error PG1001: 'System.IO.File.ReadAllText' is not allowed in policy scripts", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_RunawayPolicy_StoppedAndReportedAsItsFailure_OthersStillJudged()
    {
        const string pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"web:1"}]}}""";

        var result = InvokeWithStdin(pod, "dry-run", "--policy", Fixture("cli/sandbox-runaway-policy.yaml"), "--manifests", "-", "--output", "json");

        Assert.Equal(ExitCodes.Denied, result.ExitCode); // failurePolicy: Fail
        var results = JsonNode.Parse(result.Out)!["results"]!.AsArray();
        var spinner = results.Single(r => r!["policy"]!.GetValue<string>() == "spinner")!;
        Assert.Equal("failed", spinner["outcome"]!.GetValue<string>());
        Assert.False(spinner["allowed"]!.GetValue<bool>());
        Assert.Contains("policy spinner failed: evaluation stopped", spinner["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("timeoutSeconds", spinner["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var other = results.Single(r => r!["policy"]!.GetValue<string>() == "needs-app-label")!;
        Assert.True(other["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public void DryRun_Stdin_IsReadForDash()
    {
        const string pod = """{"apiVersion":"v1","kind":"SQLClaim","metadata":{"name":"from-stdin"},"spec":{"size":"large"}}""";

        var result = InvokeWithStdin(pod, "dry-run", "--policy", Seed, "--manifests", "-", "--output", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var only = Assert.Single(JsonNode.Parse(result.Out)!["results"]!.AsArray())!;
        Assert.Equal("from-stdin", only["object"]!["name"]!.GetValue<string>());
        Assert.Equal("default", only["object"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public void DryRun_NamespaceObjectsAndLists_DriveNamespaceSelector()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/prod-only-policy.yaml"), "--manifests", Fixture("cli/list-and-namespaces.yaml"), "--output", "json");

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        var only = Assert.Single(JsonNode.Parse(result.Out)!["results"]!.AsArray())!;
        Assert.Equal("in-prod", only["object"]!["name"]!.GetValue<string>());
        Assert.EndsWith("list-and-namespaces.yaml#2/items[0]", only["object"]!["source"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_NamespaceWhoseMetadataIsNotAMap_IsThatObjectsErrorAndOthersAreJudged()
    {
        // Found by the fuzz suite (manifests surface): reading namespace labels indexed the list as a map, and dry-run
        // stopped with "internal error" before judging anything.
        const string manifests = """
            [
              {"apiVersion": "v1", "kind": "Namespace", "metadata": []},
              {"apiVersion": "v1", "kind": "SQLClaim", "metadata": {"name": "db"}, "spec": {"size": "large"}}
            ]
            """;

        var result = InvokeWithStdin(manifests, "dry-run", "--policy", Seed, "--manifests", "-", "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Error);
        var json = JsonNode.Parse(result.Out)!;
        var error = Assert.Single(json["errors"]!.AsArray())!;
        Assert.Equal("<stdin>#1[0]", error["source"]!.GetValue<string>());
        Assert.Equal("db", Assert.Single(json["results"]!.AsArray())!["object"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void DryRun_NamespaceLabelsOption_SelectsTheNamespace()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/prod-only-policy.yaml"), "--manifests", Fixture("cli/list-and-namespaces.yaml"),
            "--namespace-labels", "dev:env=prod", "prod:env=staging", "--output", "json");

        var only = Assert.Single(JsonNode.Parse(result.Out)!["results"]!.AsArray())!;
        Assert.Equal("in-dev", only["object"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void DryRun_DeleteOperation_NoRuleMatchesNoResult()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", SeedManifests, "--operation", "DELETE", "--output", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(JsonNode.Parse(result.Out)!["results"]!.AsArray());
    }

    [Fact]
    public void DryRun_MutatingPolicy_PrintsThePatch()
    {
        var result = Invoke("dry-run", "--policy", Fixture("cli/mutating-policy.yaml"), "--manifests", Repo("policies/examples/manifests/pods.yaml"), "--output", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rootDebug = JsonNode.Parse(result.Out)!["results"]!.AsArray().Single(r => r!["object"]!["name"]!.GetValue<string>() == "root-debug")!;
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"op":"add","path":"/spec/containers/0/securityContext/capabilities/drop","value":["ALL"]}]"""),
            rootDebug["patch"]));
    }

    [Theory]
    [InlineData("dry-run", "--manifests", "x.yaml")]
    [InlineData("dry-run", "--policy", "p.yaml", "--manifests", "m.yaml", "--output", "xml")]
    [InlineData("dry-run", "--policy", "p.yaml", "--manifests", "m.yaml", "--operation", "PATCH")]
    [InlineData("frobnicate")]
    public void DryRun_BadArguments_ExitTwo(params string[] args)
    {
        var result = Invoke(args);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_MissingPaths_AreErrorsNotCrashes()
    {
        var result = Invoke("dry-run", "--policy", "/nonexistent/policy.yaml", "--manifests", "/nonexistent/manifests", "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal(2, JsonNode.Parse(result.Out)!["errors"]!.AsArray().Count);
    }
}
