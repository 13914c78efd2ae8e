using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

public class AllowedSizesTests
{
    private const string Module = "allowed-sizes";

    private static readonly string SeedFile = Path.Combine(RepoPaths.Policies, "examples", "seed-policies.yaml");

    /// <summary>The sql-size-restriction policy exactly as the seed example file defines it.</summary>
    private static CompiledPolicy SeedPolicy()
    {
        var result = TestPolicies.Load(File.ReadAllText(SeedFile), SeedFile);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Policies, p => p.Name == "sql-size-restriction");
    }

    private static JsonObject SqlClaim(string name, string specJson) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "SQLClaim",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop" },
        ["spec"] = JsonNode.Parse(specJson),
    };

    [Theory]
    [InlineData("small")]
    [InlineData("medium")]
    [InlineData("large")]
    public void Decide_SeedPolicyAllowedSize_Allowed(string size)
    {
        var claim = SqlClaim("orders-db", """{"size": "SIZE", "engine": "postgres"}""".Replace("SIZE", size, StringComparison.Ordinal));

        BuiltinAssert.Allowed(TestPolicies.Decide(SeedPolicy(), claim));
    }

    [Fact]
    public void Decide_SeedPolicyXxl_DeniedListingAllowedSizes()
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(SeedPolicy(), SqlClaim("analytics-db", """{"size": "xxl"}""")));

        Assert.Equal("SQLClaim analytics-db: spec.size \"xxl\" is not allowed; it must be one of: small, medium, large", message);
    }

    [Theory]
    [InlineData("""{"engine": "postgres"}""")]
    [InlineData("""{"size": null}""")]
    public void Decide_SeedPolicyMissingSize_Denied(string specJson)
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(SeedPolicy(), SqlClaim("scratch-db", specJson)));

        Assert.Equal("SQLClaim scratch-db has no spec.size; it must be one of: small, medium, large", message);
    }

    [Fact]
    public void Decide_SeedPolicyNoSpecAtAll_Denied()
    {
        var claim = SqlClaim("bare-db", "{}");
        claim.Remove("spec");

        BuiltinAssert.DeniedWith(TestPolicies.Decide(SeedPolicy(), claim), "has no spec.size");
    }

    [Theory]
    [InlineData("Small")] // sizes compare exactly
    [InlineData(" small")]
    [InlineData("")]
    public void Decide_SeedPolicyNearMissSize_Denied(string size)
    {
        var claim = SqlClaim("orders-db", new JsonObject { ["size"] = size }.ToJsonString());

        BuiltinAssert.DeniedWith(TestPolicies.Decide(SeedPolicy(), claim), $"spec.size \"{size}\" is not allowed");
    }

    [Fact]
    public void Decide_SeedPolicySizeNotAString_DeniedShowingIt()
    {
        var message = BuiltinAssert.Denied(TestPolicies.Decide(SeedPolicy(), SqlClaim("orders-db", """{"size": {"cpu": 4}}""")));

        Assert.Contains("spec.size \"{\"cpu\":4}\" is not allowed", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SeedPolicyOnExampleManifests_DecidesAsTheReadmeSays()
    {
        var policy = SeedPolicy();

        var results = TestPolicies.ExampleManifests("sqlclaims.yaml").ToDictionary(
            o => o["metadata"]!["name"]!.GetValue<string>(),
            o => Assert.Single(TestPolicies.Evaluate([policy], o)));

        Assert.Equal(new[] { "orders-db", "analytics-db", "scratch-db" }, results.Keys);
        BuiltinAssert.Allowed(results["orders-db"]);
        BuiltinAssert.DeniedWith(results["analytics-db"], "SQLClaim analytics-db: spec.size \"xxl\" is not allowed");
        BuiltinAssert.DeniedWith(results["scratch-db"], "SQLClaim scratch-db has no spec.size");
    }

    [Fact]
    public void Decide_CustomSizeField_ReadsNestedPath()
    {
        var policy = TestPolicies.Builtin(Module, "{allowedSizes: [gold, silver], sizeField: spec.tier.name}");

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, SqlClaim("a", """{"tier": {"name": "gold"}, "size": "xxl"}""")));
        Assert.Equal(
            "SQLClaim b: spec.tier.name \"platinum\" is not allowed; it must be one of: gold, silver",
            BuiltinAssert.Denied(TestPolicies.Decide(policy, SqlClaim("b", """{"tier": {"name": "platinum"}}"""))));
        Assert.Equal(
            "SQLClaim c has no spec.tier.name; it must be one of: gold, silver",
            BuiltinAssert.Denied(TestPolicies.Decide(policy, SqlClaim("c", """{"size": "gold"}"""))));
        BuiltinAssert.DeniedWith(TestPolicies.Decide(policy, SqlClaim("d", """{"tier": "gold"}""")), "has no spec.tier.name");
    }

    [Fact]
    public void Decide_MonitorMode_AllowedWithMessageAndWarning()
    {
        var policy = TestPolicies.Builtin(Module, "{allowedSizes: [small]}", mode: "monitor");

        var decision = TestPolicies.Decide(policy, SqlClaim("analytics-db", """{"size": "xxl"}"""));

        BuiltinAssert.MonitoredDenial(decision, "spec.size \"xxl\" is not allowed");
    }

    [Theory]
    [InlineData("{allowedSizes: []}")]
    [InlineData("{}")]
    public void Load_NoAllowedSizes_RejectedNamingSetting(string settings)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, settings);

        Assert.Contains("setting 'allowedSizes' must list at least one size", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec..size")]
    [InlineData(".spec")]
    [InlineData("' '")]
    public void Load_BadSizeField_RejectedNamingSetting(string sizeField)
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{allowedSizes: [small], sizeField: {sizeField}}}");

        Assert.Contains("setting 'sizeField'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MisspelledSetting_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{allowedSize: [small]}");

        Assert.Contains("setting 'allowedSize' is unknown", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SettingOfWrongType_RejectedNamingIt()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, "{allowedSizes: {small: true}}");

        Assert.Contains("setting 'allowedSizes'", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SizeLongerThan63Characters_RejectedNamingTheItem()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{allowedSizes: [small, {new string('x', 64)}]}}");

        Assert.Contains("setting 'allowedSizes[1]' is 64 characters long: a size is a short name of at most 63", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SizeFieldOfAThousandCharacters_RejectedNamingTheSetting()
    {
        var errors = BuiltinAssert.RejectedSettings(Module, $"{{allowedSizes: [small], sizeField: {string.Join('.', Enumerable.Repeat("spec", 200))}}}");

        Assert.Contains("setting 'sizeField' is 999 characters long", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_ManyAllowedSizesAndAHugeSize_DenialNamesTheFirst20AndAShortenedValue()
    {
        var sizes = Enumerable.Range(1, 500).Select(i => $"size-{i}").ToList();
        var policy = TestPolicies.Builtin(Module, $"{{allowedSizes: [{string.Join(", ", sizes)}]}}");

        var message = BuiltinAssert.Denied(TestPolicies.Decide(policy, SqlClaim("big", new JsonObject { ["size"] = new string('x', 1_000_000) }.ToJsonString())));

        Assert.Equal(
            $"SQLClaim big: spec.size \"{new string('x', 63)}…\" is not allowed; it must be one of: {string.Join(", ", sizes.Take(20))} and 480 more",
            message);
    }
}
