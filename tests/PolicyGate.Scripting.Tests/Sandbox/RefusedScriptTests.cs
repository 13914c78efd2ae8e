using System.Text.RegularExpressions;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// The load-time half of the hostile corpus: every script in <c>tests/fixtures/sandbox/refused/</c> must be refused
/// by the real loader, with a PG1xxx error naming the API (from the fixture's <c>// refused:</c> line) on the right line
/// (<c>// line:</c>), and must leave no trace: the canary file it aims at is never created, and the engine goes on
/// loading and running policies.
/// </summary>
public sealed partial class RefusedScriptTests : IDisposable
{
    private static readonly string FixtureDirectory = Path.Combine(AppContext.BaseDirectory, "fixtures", "sandbox", "refused");

    private readonly string _canaryDirectory = Path.Combine(Path.GetTempPath(), "policygate-canary-" + Guid.NewGuid().ToString("N"));

    public RefusedScriptTests()
    {
        Directory.CreateDirectory(_canaryDirectory);
    }

    public void Dispose() => Directory.Delete(_canaryDirectory, recursive: true);

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(FixtureDirectory, "*.csx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Load_HostileScript_IsRefusedNamingTheApiAndLine(string fixture)
    {
        var source = File.ReadAllText(Path.Combine(FixtureDirectory, fixture + ".csx"));
        var api = Header(source, "refused") ?? throw new InvalidOperationException($"{fixture}: the first line must be '// refused: <API>'");
        var line = int.Parse(Header(source, "line") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        var canary = Path.Combine(_canaryDirectory, "canary.txt");

        var result = TestPolicies.Load(AllowListTests.InlinePolicy(source.Replace("{{CANARY}}", canary, StringComparison.Ordinal)), fixture + ".yaml");
        foreach (var loaded in result.Policies)
        {
            // Only reached when the sandbox failed: run it, so the canary shows what it could do.
            TestPolicies.Decide(loaded, Pod);
        }

        Assert.Empty(result.Policies);
        var errors = result.Errors.Select(e => (Error: e, Match: DiagnosticPattern().Match(e.Message))).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Match.Success && e.Match.Groups["id"].Value.StartsWith("PG1", StringComparison.Ordinal), "not a sandbox error: " + e.Error));
        Assert.True(
            errors.Any(e => e.Match.Groups["message"].Value.Contains(api, StringComparison.Ordinal)
                && (line == 0 || int.Parse(e.Match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture) == line)),
            $"expected an error naming '{api}' on line {line}, got:\n{string.Join("\n", result.Errors)}");
        Assert.All(errors, e => Assert.Contains("is not allowed in policy scripts: ", e.Match.Groups["message"].Value, StringComparison.Ordinal));

        Assert.False(File.Exists(canary), "the refused script touched the canary file");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_canaryDirectory));
        AssertEngineStillServes();
    }

    [Fact]
    public void Fixtures_CoverEveryCategory()
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(FixtureDirectory, "*.csx"))
        {
            var result = TestPolicies.Load(AllowListTests.InlinePolicy(File.ReadAllText(file)), Path.GetFileName(file));
            foreach (var error in result.Errors)
            {
                ids.Add(DiagnosticPattern().Match(error.Message).Groups["id"].Value);
            }
        }

        var expected = Enumerable.Range(1, 18).Select(i => $"PG10{i:00}");
        Assert.Empty(expected.Except(ids));
    }

    [Fact]
    public void Load_SeveralRefusedApis_ReportsEachWithItsLine()
    {
        var result = TestPolicies.Load(AllowListTests.InlinePolicy("""
            var host = Environment.GetEnvironmentVariable("HOME");
            var text = System.IO.File.ReadAllText("/etc/hostname");
            return Allow();
            """), "two.yaml");

        Assert.Collection(
            result.Errors,
            e => Assert.Matches(@"\(1,\d+\): error PG1003: 'System\.Environment\.GetEnvironmentVariable' is not allowed in policy scripts: environment variables", e.Message),
            e => Assert.Matches(@"\(2,\d+\): error PG1001: 'System\.IO\.File\.ReadAllText' is not allowed in policy scripts: files and directories", e.Message));
    }

    [Fact]
    public void Load_RefusedApi_NamesThePolicyAndInlineScript()
    {
        var error = Assert.Single(TestPolicies.Load(AllowListTests.InlinePolicy("Environment.Exit(1);\nreturn Allow();"), "policies/exit.yaml").Errors);

        Assert.Equal("inline", error.Policy);
        Assert.Equal("policies/exit.yaml#1", error.Source);
        Assert.Contains("inline script of inline)(1,13): error PG1003: 'System.Environment.Exit'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LambdasNestedThousandsDeep_IsRefusedWithoutOverflowingTheStack()
    {
        // Roslyn builds operation trees recursively: checking this script unguarded kills the process.
        var script = "Func<int, int> f = " + string.Concat(Enumerable.Repeat("x => ", 3000)) + "1;\nreturn Allow();";

        var error = Assert.Single(TestPolicies.Load(AllowListTests.InlinePolicy(script), "deep.yaml").Errors);

        Assert.Contains("error PG1012: 'nesting deeper than 256 levels'", error.Message, StringComparison.Ordinal);
        AssertEngineStillServes();
    }

    private static void AssertEngineStillServes()
    {
        var policy = TestPolicies.Single(AllowListTests.InlinePolicy("return Deny(\"still here\");"));
        var decision = TestPolicies.Decide(policy, Pod);
        Assert.Equal(DecisionOutcome.Denied, decision.Outcome);
    }

    private static string? Header(string source, string name)
    {
        foreach (var line in source.Split('\n').TakeWhile(l => l.StartsWith("//", StringComparison.Ordinal)))
        {
            var prefix = $"// {name}: ";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }
        }

        return null;
    }

    private static readonly System.Text.Json.Nodes.JsonObject Pod = Workloads.Wrap("Pod", """{"containers":[{"name":"c","image":"nginx"}]}""");

    [GeneratedRegex(@"\((?<line>\d+),(?<column>\d+)\): error (?<id>[A-Z]+\d+): (?<message>.*)$", RegexOptions.Singleline)]
    private static partial Regex DiagnosticPattern();
}
