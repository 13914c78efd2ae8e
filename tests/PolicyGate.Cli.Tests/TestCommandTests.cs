using System.Text.Json.Nodes;
using System.Xml.Linq;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

/// <summary><c>policygate test</c>: the shipped suites, failures with their differences, broken suites, JUnit and JSON.</summary>
public class TestCommandTests
{
    private static readonly string Failing = Fixture("policy-test/failing");
    private static readonly string Broken = Fixture("policy-test/broken");

    /// <summary>The policies whose suites must show a patch (their mutating mode is tested).</summary>
    private static readonly string[] Mutating = ["capabilities", "resource-limits", "run-as-non-root"];

    [Fact]
    public void Test_ShippedPolicySuites_EveryCasePassesAndExitsZero()
    {
        // This is how CI runs the built-in policies' suites: dotnet test runs this test.
        var result = Invoke("test", Repo("policies"), "--output", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Out + result.Error);
        var suites = JsonNode.Parse(result.Out)!["suites"]!.AsArray();
        var builtins = Directory.GetFiles(Repo("policies"), "*.csx").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(builtins, suites.Select(s => s!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var suite in suites)
        {
            var name = suite!["name"]!.GetValue<string>();
            var cases = suite["cases"]!.AsArray();
            Assert.All(cases, c => Assert.Equal("passed", c!["status"]!.GetValue<string>()));
            var decisions = cases.Select(c => c!["actual"]!["allowed"]!.GetValue<bool>()).ToList();
            Assert.True(decisions.Contains(true) && decisions.Contains(false), $"{name}: needs an allowed and a denied case");
            Assert.Equal(Mutating.Contains(name), cases.Any(c => c!["actual"]!["patch"] is not null));
        }
    }

    [Fact]
    public void Test_FailingCases_TableShowsEachDifferenceAndExitsOne()
    {
        var result = Invoke("test", Failing);

        Assert.Equal(ExitCodes.TestFailed, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("passes-with-a-warning-and-a-patch", StringComparison.Ordinal) && l.TrimEnd().EndsWith("pass", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("wrong-decision", StringComparison.Ordinal) && l.TrimEnd().EndsWith("FAIL", StringComparison.Ordinal));
        Assert.Contains("allowed: expected allowed, got denied: policy team-label denied the request: missing required labels: team", result.Out, StringComparison.Ordinal);
        Assert.Contains("message: expected a message containing \"missing the owner annotation\", got \"policy team-label denied", result.Out, StringComparison.Ordinal);
        Assert.Contains("""- {"op":"add","path":"/spec/containers/0/securityContext","value":{"capabilities":{"drop":["NET_RAW"]}}}""", result.Out, StringComparison.Ordinal);
        Assert.Contains("""+ {"op":"add","path":"/spec/containers/0/securityContext","value":{"capabilities":{"drop":["ALL"]}}}""", result.Out, StringComparison.Ordinal);
        Assert.Contains("~ /spec/containers/0/securityContext/capabilities/drop/0: expected \"NET_RAW\", got \"ALL\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("1 suite(s), 4 case(s): 1 passed, 3 failed, 0 error(s); 0 broken suite(s)", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Test_BrokenSuites_ExitTwoWithPositionedErrors_OtherSuitesStillRun()
    {
        var result = Invoke("test", Broken);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains(result.Out.Split('\n'), l => l.Contains("good.test.yaml", StringComparison.Ordinal) && l.Contains("labelled-pod-is-allowed", StringComparison.Ordinal) && l.TrimEnd().EndsWith("pass", StringComparison.Ordinal));
        Assert.Contains("3 suite(s), 1 case(s): 1 passed, 0 failed, 0 error(s); 2 broken suite(s)", result.Out, StringComparison.Ordinal);
        Assert.Contains("unknown-field.test.yaml:12:5: case \"misspelt\": cases[0].expect.allowd: unknown field (known: allowed,", result.Error, StringComparison.Ordinal);
        Assert.Contains("does-not-compile.test.yaml:4:3: policies[0]: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("policy typo: compile error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_JUnitReport_IsWellFormedWithOneTestcasePerCase()
    {
        using var temp = new TempDirectory();
        var junit = temp.File("report.xml");

        var result = Invoke("test", Failing, Broken, "--junit", junit);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var root = XDocument.Load(junit).Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        var suites = root.Elements("testsuite").ToList();
        Assert.Equal(4, suites.Count);
        var failing = suites.Single(s => s.Attribute("name")!.Value.EndsWith("failing.test.yaml", StringComparison.Ordinal));
        Assert.Equal(["passes-with-a-warning-and-a-patch", "wrong-decision", "wrong-message", "wrong-patch"], failing.Elements("testcase").Select(c => c.Attribute("name")!.Value));
        Assert.Equal("4", failing.Attribute("tests")!.Value);
        Assert.Equal("3", failing.Attribute("failures")!.Value);
        var patchFailure = failing.Elements("testcase").Single(c => c.Attribute("name")!.Value == "wrong-patch").Element("failure")!;
        Assert.StartsWith("patch: the patch differs", patchFailure.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Contains("~ /spec/containers/0/securityContext/capabilities/drop/0", patchFailure.Value, StringComparison.Ordinal);
        var broken = suites.Single(s => s.Attribute("name")!.Value.EndsWith("unknown-field.test.yaml", StringComparison.Ordinal));
        Assert.Contains("cases[0].expect.allowd", Assert.Single(broken.Elements("testcase")).Element("error")!.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Equal(suites.Sum(s => int.Parse(s.Attribute("tests")!.Value, System.Globalization.CultureInfo.InvariantCulture)), root.Descendants("testcase").Count());
        Assert.Equal("3", root.Attribute("failures")!.Value);
        Assert.Equal("2", root.Attribute("errors")!.Value);
    }

    [Fact]
    public void Test_JsonOutput_GivesStatusesFailuresAndActualAnswers()
    {
        var result = Invoke("test", Failing, Broken, "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var json = JsonNode.Parse(result.Out)!;
        Assert.Equal(
            ["failed", "broken", "passed", "broken"],
            json["suites"]!.AsArray().Select(s => s!["status"]!.GetValue<string>()));
        var summary = json["summary"]!;
        Assert.Equal((5, 2, 3, 2), (summary["cases"]!.GetValue<int>(), summary["passed"]!.GetValue<int>(), summary["failed"]!.GetValue<int>(), summary["brokenSuites"]!.GetValue<int>()));
        var failing = json["suites"]![0]!["cases"]!.AsArray();
        var passed = failing[0]!;
        Assert.True(passed["actual"]!["allowed"]!.GetValue<bool>());
        Assert.Contains("runAsNonRoot", passed["actual"]!["warnings"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var wrongPatch = failing[3]!["failures"]!.AsArray();
        Assert.Equal(["patch", "patchedObject"], wrongPatch.Select(f => f!["field"]!.GetValue<string>()));
        var error = json["suites"]![3]!["errors"]![0]!;
        Assert.Equal((12, 5, "misspelt", "cases[0].expect.allowd"), (error["line"]!.GetValue<int>(), error["column"]!.GetValue<int>(), error["case"]!.GetValue<string>(), error["field"]!.GetValue<string>()));
    }

    [Fact]
    public void Test_UserOperationOldObjectAndNamespaceLabels_ReachThePolicy_RefusedObjectIsCaseError()
    {
        var result = Invoke("test", Fixture("policy-test/request-fields"), "--output", "json");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        var cases = JsonNode.Parse(result.Out)!["suites"]![0]!["cases"]!.AsArray();
        Assert.Equal(["passed", "passed", "passed", "error"], cases.Select(c => c!["status"]!.GetValue<string>()));
        Assert.Equal("policy change-freeze denied the request: flags is frozen; jane may not change it", cases[0]!["actual"]!["message"]!.GetValue<string>());
        var error = cases[3]!["error"]!;
        Assert.Equal((27, 3, "cases[3].object"), (error["line"]!.GetValue<int>(), error["column"]!.GetValue<int>(), error["field"]!.GetValue<string>()));
        Assert.Contains("metadata.labels.frozen: expected a string or null, got a number", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Test_PathWithoutSuites_ExitsTwo()
    {
        using var temp = new TempDirectory();

        var result = Invoke("test", temp.Path, temp.File("missing.test.yaml"));

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("missing.test.yaml: path does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_CaseOverridesAndRequestFields_AreErrorsWhenTheyConflict()
    {
        using var temp = new TempDirectory();
        File.Copy(Path.Combine(Failing, "policies.yaml"), temp.File("policies.yaml"));
        File.WriteAllText(temp.File("conflict.test.yaml"), """
            apiVersion: policygate.io/v1
            kind: PolicyTest
            policies: [policies.yaml]
            cases:
            - name: both
              object: {apiVersion: v1, kind: Pod, metadata: {name: a}}
              reviewFile: review.json
              oldObject: {apiVersion: v1, kind: Pod, metadata: {name: a}}
              operation: PATCH
              expect: {allowed: false, message: x, patch: []}
            """);

        var result = Invoke("test", temp.Path);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("conflict.test.yaml:5:3: case \"both\": cases[0]: give either object/objectFile (a manifest) or review/reviewFile", result.Error, StringComparison.Ordinal);
        Assert.Contains("conflict.test.yaml:7:3: case \"both\": cases[0].reviewFile: cannot read", result.Error, StringComparison.Ordinal);
        Assert.Contains("conflict.test.yaml:9:3: case \"both\": cases[0].operation: must be CREATE, UPDATE or DELETE, got \"PATCH\"", result.Error, StringComparison.Ordinal);
        Assert.Contains("cases[0].expect.patch: a denied request is not patched", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRun_FolderWithSuitesBesideItsPolicies_ReadsOnlyThePolicies()
    {
        var result = Invoke("dry-run", "--policy", Failing, "--manifests", Repo("policies/testdata/deployment-web.yaml"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("failing.test.yaml", result.Error, StringComparison.Ordinal);
    }
}
