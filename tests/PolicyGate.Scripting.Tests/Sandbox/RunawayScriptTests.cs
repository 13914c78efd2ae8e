using System.Diagnostics;
using System.Globalization;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// Scripts that would run, allocate or recurse for ever (tests/fixtures/sandbox/runaway/, each with a
/// <c>// stopped: time|memory|depth|regex</c> header) are stopped within their budget and answered under their
/// failurePolicy, and the same policy then answers an ordinary request: the process and the program stay usable.
/// An optional <c>// within: N</c> header says how many seconds the stop may take (20 by default, a hang guard).
/// </summary>
public sealed class RunawayScriptTests
{
    private const string Fixtures = "runaway";

    public static TheoryData<string> Scripts => SandboxFixtures.Names(Fixtures);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Scripts))]
    public async Task Evaluate_RunawayScript_StoppedAndAnsweredUnderFailurePolicy(string script)
    {
        var stopped = SandboxFixtures.Header(Fixtures, script, "stopped");
        if (stopped.StartsWith("at load:", StringComparison.Ordinal))
        {
            var refused = await Task.Run(() => SandboxFixtures.Load(Fixtures, script));
            Assert.Empty(refused.Policies);
            var error = Assert.Single(refused.Errors);
            var expected = $"spec.settings: the script's Settings code was stopped: {Expected(stopped["at load:".Length..].Trim())["evaluation stopped: ".Length..]}";
            Assert.True(error.ToString().Contains(expected, StringComparison.Ordinal), error.ToString());
            return;
        }

        var loaded = SandboxFixtures.Load(Fixtures, script, "Fail");
        Assert.Empty(loaded.Errors);
        var failing = Assert.Single(loaded.Policies);
        var ignoring = Assert.Single(SandboxFixtures.Load(Fixtures, script, "Ignore").Policies);

        var watch = Stopwatch.StartNew();
        var verdict = await Task.Run(() => PolicyEvaluator.Run(failing, SandboxFixtures.Pod("""{"runaway":"true"}""")));
        watch.Stop();

        var failed = Assert.IsType<PolicyVerdict.Failed>(verdict);
        Assert.Contains(Expected(stopped), failed.Error, StringComparison.Ordinal);
        Assert.Equal(stopped == "time", failed.TimedOut);
        var within = TimeSpan.FromSeconds(double.Parse(SandboxFixtures.OptionalHeader(Fixtures, script, "within") ?? "20", CultureInfo.InvariantCulture));
        Assert.True(watch.Elapsed < within, $"stopped only after {watch.Elapsed} (expected within {within})");

        var denied = PolicyEvaluator.ToDecision(failing, verdict);
        Assert.False(denied.Allowed);
        Assert.Equal(DecisionOutcome.Failed, denied.Outcome);
        Assert.Equal($"policy {failing.Name} failed: {failed.Error}", denied.Message);

        var allowed = PolicyEvaluator.ToDecision(ignoring, verdict);
        Assert.True(allowed.Allowed);
        Assert.Equal($"policy {ignoring.Name} failed: {failed.Error} (allowed, failurePolicy: Ignore)", Assert.Single(allowed.Warnings));

        // The same policy object, on the same thread, answers an ordinary request afterwards.
        var after = await Task.Run(() => PolicyEvaluator.Decide(failing, SandboxFixtures.Pod()));
        Assert.Equal(DecisionOutcome.Allowed, after.Outcome);
        Assert.True(after.Allowed);
    }

    [Fact(Timeout = 60_000)]
    public async Task Evaluate_CallerCancels_StoppedAsCancelled()
    {
        var policy = Assert.Single(SandboxFixtures.Load(Fixtures, "while-true.csx", timeoutSeconds: 30).Policies);
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        var verdict = await Task.Run(() => PolicyEvaluator.Run(policy, SandboxFixtures.Pod("""{"runaway":"true"}"""), cancel.Token));

        var failed = Assert.IsType<PolicyVerdict.Failed>(verdict);
        Assert.Equal("evaluation stopped: it was cancelled (the caller stopped waiting for it)", failed.Error);
        Assert.False(failed.TimedOut);
    }

    [Fact(Timeout = 60_000)]
    public async Task Decide_RunawayScriptThatCatchesEverything_AnsweredAsTimedOut()
    {
        var policy = Assert.Single(SandboxFixtures.Load(Fixtures, "catch-exception-in-loop.csx").Policies);

        // On another thread only so that xunit's timeout can fail the test instead of hanging the run.
        var decision = await Task.Run(() => PolicyEvaluator.Decide(policy, SandboxFixtures.Pod("""{"runaway":"true"}""")));

        Assert.False(decision.Allowed);
        Assert.True(decision.TimedOut);
    }

    /// <summary>The verdict's error for a <c>// stopped:</c> header.</summary>
    internal static string Expected(string stopped) => stopped switch
    {
        "time" => "evaluation stopped: it ran past its time budget (timeoutSeconds: 1)",
        "memory" => "evaluation stopped: it allocated more than 64 MiB",
        "depth" => "evaluation stopped: call depth exceeded (unbounded recursion?)",
        "regex" => "RegexMatchTimeoutException at line ",
        _ => throw new InvalidOperationException($"unknown expectation '{stopped}'"),
    };
}
