using System.Diagnostics;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// Deep structures a script builds and hands to the base library, which recurses through them with no woven check
/// (tests/fixtures/sandbox/deep/, each with a <c>// ends: allowed|stopped: time|memory|depth</c> header). They run
/// in-process, through the real loader and evaluator, on a thread-pool thread as in the server: the process survives
/// (the threads that evaluate policies have a stack large enough for them), the policy ends as the header says, and
/// the same policy then answers an ordinary request.
/// </summary>
public sealed class DeepStructureScriptTests
{
    private const string Fixtures = "deep";

    public static TheoryData<string> Scripts => SandboxFixtures.Names(Fixtures);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Scripts))]
    public async Task Evaluate_DeepStructure_ProcessSurvivesAndPolicyEnds(string script)
    {
        var ends = SandboxFixtures.Header(Fixtures, script, "ends");
        var loaded = SandboxFixtures.Load(Fixtures, script, timeoutSeconds: 10);
        Assert.Empty(loaded.Errors);
        var policy = Assert.Single(loaded.Policies);

        var watch = Stopwatch.StartNew();
        var verdict = await Task.Run(() => PolicyEvaluator.Run(policy, SandboxFixtures.Pod("""{"deep":"true"}""")));
        watch.Stop();

        var actual = verdict switch
        {
            PolicyVerdict.Allowed => "allowed",
            PolicyVerdict.Denied denied => $"denied: {denied.Message}",
            PolicyVerdict.Failed failed => failed.Error,
            _ => verdict.ToString(),
        };
        var expected = ends == "allowed" ? "allowed" : RunawayScriptTests.Expected(ends["stopped:".Length..].Trim());
        Assert.Equal(expected, actual);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"ended only after {watch.Elapsed}");

        // The same policy answers an ordinary request afterwards.
        var after = await Task.Run(() => PolicyEvaluator.Decide(policy, SandboxFixtures.Pod()));
        Assert.Equal(DecisionOutcome.Allowed, after.Outcome);
    }
}
