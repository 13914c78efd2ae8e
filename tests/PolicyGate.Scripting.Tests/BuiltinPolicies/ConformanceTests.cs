using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

/// <summary>
/// The capabilities and run-as-non-root built-ins against Kubernetes Pod Security Admission's own fixtures
/// (<c>../shared/conformance</c>): every row of <c>expectations.json</c>, asserted upstream or derived.
/// </summary>
public class ConformanceTests
{
    /// <summary>PSA baseline's allowed capability adds (v1.37), as the conformance README lists them.</summary>
    private static readonly string[] BaselineCapabilities =
    [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
        "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ];

    private static readonly string[] Checks =
        ["capabilities_baseline", "capabilities_restricted", "runAsNonRoot", "runAsUser", "run_as_non_root_combined"];

    private static JsonObject Expectations() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Conformance, "expectations.json")))!.AsObject();

    private static JsonArray FileRows() => Expectations()["rows"]!.AsArray();

    /// <summary>Every row of expectations.json: file, check, expected (allow or deny), basis.</summary>
    public static TheoryData<string, string, string, string> Rows()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var row in FileRows())
        {
            data.Add(
                row!["file"]!.GetValue<string>(),
                row["check"]!.GetValue<string>(),
                row["expected"]!.GetValue<string>(),
                row["basis"]!.GetValue<string>());
        }

        return data;
    }

    private static CompiledPolicy PolicyFor(string check) => check switch
    {
        "capabilities_baseline" => TestPolicies.Builtin("capabilities", $"{{allowedCapabilities: [{string.Join(", ", BaselineCapabilities)}]}}"),
        "capabilities_restricted" => TestPolicies.Builtin("capabilities", "{allowedCapabilities: [NET_BIND_SERVICE], requiredDropCapabilities: [ALL]}"),
        "runAsNonRoot" => TestPolicies.Builtin("run-as-non-root", "{requireRunAsNonRoot: true, denyRunAsUserZero: false}"),
        "runAsUser" => TestPolicies.Builtin("run-as-non-root", "{requireRunAsNonRoot: false, denyRunAsUserZero: true}"),
        "run_as_non_root_combined" => TestPolicies.Builtin("run-as-non-root"),
        _ => throw new ArgumentOutOfRangeException(nameof(check), check, "a check this test does not know: map it to a policy"),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decide_ConformanceRow_MatchesPodSecurityAdmission(string file, string check, string expected, string basis)
    {
        Assert.Contains(expected, new[] { "allow", "deny" });
        var path = Path.Combine(RepoPaths.Conformance, file);
        var loaded = ManifestLoader.LoadText(File.ReadAllText(path), file);
        Assert.Empty(loaded.Errors);
        var pod = Assert.Single(loaded.Documents).Object;
        Assert.Equal("Pod", pod["kind"]!.GetValue<string>());

        var decision = TestPolicies.Decide(PolicyFor(check), pod);

        // A failing script is denied by failurePolicy: Fail, which must never pass for a correct "deny".
        Assert.True(
            decision.Outcome is DecisionOutcome.Allowed or DecisionOutcome.Denied,
            $"{file} [{check}, {basis}]: {decision.Outcome} {decision.Message}");
        Assert.True(
            decision.Allowed == (expected == "allow"),
            $"{file} [{check}, {basis}]: expected {expected}, got {(decision.Allowed ? "allow" : "deny")} {decision.Message}");
    }

    [Fact]
    public void Rows_EveryRowOfTheFile_IsEvaluated()
    {
        var expectations = Expectations();
        var fileRows = expectations["rows"]!.AsArray();
        var cases = expectations["cases"]!.AsArray();
        var fixtures = Directory.GetFiles(Path.Combine(RepoPaths.Conformance, "pod-security-admission"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Conformance, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

        // The theory runs exactly the rows of the file; the file has one row per (fixture, check), for every fixture.
        Assert.Equal(fileRows.Count, Rows().Count);
        Assert.Equal(cases.Count * Checks.Length, fileRows.Count);
        Assert.Equal(fixtures, fileRows.Select(r => r!["file"]!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal).ToList());
        Assert.All(fileRows, r => Assert.Contains(r!["check"]!.GetValue<string>(), Checks));
        Assert.True(fileRows.Count >= 140, $"expectations.json shrank to {fileRows.Count} rows (28 fixtures x 5 checks when written)");
    }

    [Fact]
    public void BaselineCapabilities_ComparedWithSuggestedSettings_Equal()
    {
        var suggested = Expectations()["checks"]!["capabilities_baseline"]!["suggested_settings"]!["settings"]!["allowedCapabilities"]!
            .AsArray()
            .Select(n => n!.GetValue<string>());

        Assert.Equal(BaselineCapabilities, suggested);
    }
}
