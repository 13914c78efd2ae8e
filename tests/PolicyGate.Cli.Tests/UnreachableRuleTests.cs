using System.Text.Json.Nodes;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// dry-run and webhook-config warn about a rule the API server would never call the webhook for: the seed's
/// sql-size-restriction names sqlclaims under the core group. The warning changes no answer and no exit code.
/// </summary>
public class UnreachableRuleTests
{
    private static readonly string Seed = Repo("policies/examples/seed-policies.yaml");

    private static readonly string Warning =
        $"warning: {Seed}#2: policy sql-size-restriction: spec.rules[0]: the core API group (\"\") has no resource \"sqlclaims\": " +
        "the API server never calls this webhook for it (a custom resource lives in its own group: set apiGroups to it)";

    [Fact]
    public void DryRun_SeedPolicies_WarnsOfTheCoreGroupRuleAndStillJudges()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", Repo("policies/examples/manifests"));

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        Assert.Contains(Warning, result.Error, StringComparison.Ordinal);
        Assert.Contains("SQLClaim shop/analytics-db", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_JsonOutput_CarriesTheWarning()
    {
        var result = Invoke("dry-run", "--policy", Seed, "--manifests", Repo("policies/examples/manifests"), "--output", "json");

        var warning = Assert.Single(JsonNode.Parse(result.Out)!["warnings"]!.AsArray())!;
        Assert.Equal($"{Seed}#2", (string?)warning["source"]);
        Assert.StartsWith("policy sql-size-restriction: spec.rules[0]: the core API group", (string?)warning["message"], StringComparison.Ordinal);
        Assert.Empty(JsonNode.Parse(result.Out)!["errors"]!.AsArray());
    }

    [Fact]
    public void DryRun_RealGroupExample_JudgesItsClaimsWithoutWarning()
    {
        var result = Invoke(
            "dry-run", "--policy", Repo("policies/examples/real-group/sql-size-restriction.yaml"),
            "--manifests", Repo("policies/examples/real-group/sqlclaims.yaml"), "--output", "json");

        var root = JsonNode.Parse(result.Out)!;
        Assert.Empty(root["warnings"]!.AsArray());
        Assert.Equal(["allowed", "denied", "denied"], root["results"]!.AsArray().Select(r => (string?)r!["outcome"]));
    }

    [Fact]
    public void WebhookConfig_SeedPolicies_WarnsAndStillWritesTheConfiguration()
    {
        var result = Invoke("webhook-config", "--policies", Seed, "--service", "policygate", "--namespace", "policygate", "--inject-ca-from", "policygate/serving");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(Warning, result.Error, StringComparison.Ordinal);
        Assert.Contains("sqlclaims", result.Out, StringComparison.Ordinal);
    }
}
