using System.Diagnostics;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// The isolation corpus (<c>tests/fixtures/sandbox/isolation/</c>): policies written to change what other policies see,
/// flood the host with their answer, or run the script's code after its budget. Each runs beside a witness policy that
/// checks the request is as it was sent; the attack must be its own policy's failure (or harmless), and the witness
/// must still see the untouched request and allow it.
/// </summary>
public sealed class IsolationCorpusTests(Workers workers) : IClassFixture<Workers>
{
    private const string Kind = "isolation";

    private static readonly string Witness = """
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: zz-witness
        spec:
          rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
          script: |
            var intact = Request.Namespace == "shop" && Request.Name == "web" && Request.Kind.Kind == "Pod"
                && UserInfo.Username == "policygate-dry-run" && UserInfo.Groups!.SequenceEqual(["system:authenticated"])
                && Metadata?.Labels?["app"] == "web" && (string?)Object!["metadata"]!["labels"]!["app"] == "web"
                && Object!["spec"]?["deep"] is null && Object!["spec"]?["payload"] is null;
            return intact ? Allow() : Deny("the request was changed before this policy saw it");
        """;

    /// <summary>Every attack in every mode its <c>// modes:</c> header names (both by default).</summary>
    public static TheoryData<string, string> Attacks()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Directory.EnumerateFiles(SandboxFixtures.Folder(Kind), "*.csx").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var modes = SandboxFixtures.OptionalHeader(Kind, name!, "modes") ?? "both";
            foreach (var mode in new[] { "in-process", "process" }.Where(m => modes == "both" || modes == m))
            {
                data.Add(name!, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Review_Attack_IsItsOwnPolicysFailureAndTheWitnessSeesTheRequestIntact(string name, string mode)
    {
        var expect = SandboxFixtures.Header(Kind, name, "expect");
        var message = SandboxFixtures.Header(Kind, name, "message");
        var mutating = SandboxFixtures.OptionalHeader(Kind, name, "mutating") == "true";
        // A fixture may ask for a longer budget than 1 s: a worker's stack overflow is a crash only once the runtime has
        // written its report, which takes seconds on a loaded machine (before that, the budget would end it first).
        var timeout = int.Parse(SandboxFixtures.OptionalHeader(Kind, name, "timeoutSeconds") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var loaded = SandboxFixtures.Load(Kind, name, timeoutSeconds: timeout, mutating: mutating, loader: mode == "process" ? workers.Loader : null);
        if (expect == "load-error")
        {
            Assert.Empty(loaded.Policies);
            Assert.Contains(loaded.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
            return;
        }

        var attack = Assert.Single(loaded.Policies);
        var witness = TestPolicies.Single(Witness);
        var watch = Stopwatch.StartNew();

        var outcome = AdmissionEvaluator.Review([attack, witness], SandboxFixtures.Pod("""{"app":"web"}""").Request, _ => null);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20 + timeout), $"took {watch.Elapsed}"); // a hang guard over the budget
        var decision = Assert.Single(outcome.Decisions, d => d.Policy == attack.Name);
        switch (expect)
        {
            case "failed":
                Assert.Equal(DecisionOutcome.Failed, decision.Outcome);
                Assert.Contains(message, decision.Message, StringComparison.Ordinal);
                Assert.True(decision.Message!.Length < 4096, $"a failure message of {decision.Message.Length} characters");
                break;
            case "allowed":
                Assert.True(decision.Allowed, decision.Message);
                break;
            default:
                throw new InvalidOperationException($"{name}: unknown expectation '{expect}'");
        }

        var witnessed = Assert.Single(outcome.Decisions, d => d.Policy == "zz-witness");
        Assert.True(witnessed.Allowed, witnessed.Message);
        Assert.Null(decision.MutatedObject);

        // The attack's own policy answers the next request too (in a worker that was replaced, if it had to be).
        var again = PolicyEvaluator.Decide(attack, SandboxFixtures.Pod("""{"app":"web"}"""));
        Assert.Equal(decision.Outcome, again.Outcome);
    }
}
