using PolicyGate.Core.PolicyApi;
using PolicyGate.Core.Sandbox;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// Scripts whose runaway only the final check after they return can see (tests/fixtures/sandbox/final-check/, each
/// with a <c>// stopped: time|memory</c> header): run through the real loader and compiled program under a budget as
/// the evaluator runs them, <see cref="ScriptBudget.CheckFinal"/> reports the stop, and the program then answers an
/// ordinary request. Once the evaluator makes the final check itself, these fixtures belong in runaway/.
/// </summary>
public sealed class FinalCheckScriptTests
{
    private const string Fixtures = "final-check";

    public static TheoryData<string> Scripts => SandboxFixtures.Names(Fixtures);

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Scripts))]
    public async Task CheckFinal_ScriptReturnedPastItsBudget_ReportsTheStop(string script)
    {
        var expected = SandboxFixtures.Header(Fixtures, script, "stopped") switch
        {
            "time" => BudgetStop.Time,
            "memory" => BudgetStop.Memory,
            var other => throw new InvalidOperationException($"unknown expectation '{other}'"),
        };
        var policy = Assert.Single(SandboxFixtures.Load(Fixtures, script).Policies);

        var runaway = await Task.Run(() => RunUnderBudget(policy, SandboxFixtures.Pod("""{"runaway":"true"}""")));
        var ordinary = await Task.Run(() => RunUnderBudget(policy, SandboxFixtures.Pod()));

        Assert.Equal(expected, runaway);
        Assert.Equal(BudgetStop.None, ordinary);
    }

    /// <summary>What the evaluator does around a script: budget, run, then the final check before the answer counts.</summary>
    private static BudgetStop RunUnderBudget(PolicyGate.Core.Evaluation.CompiledPolicy policy, PolicyGate.Core.Evaluation.ParsedRequest request)
    {
        var timeout = TimeSpan.FromSeconds(policy.Spec.TimeoutSeconds);
        using var context = new PolicyContext(request, policy.Name, false, null, null, timeout, CancellationToken.None);
        using var budget = ScriptBudget.Start(timeout);
        policy.Program.Run(context);
        return budget.CheckFinal();
    }
}
