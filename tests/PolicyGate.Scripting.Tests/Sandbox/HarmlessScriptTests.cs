using System.Text;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// Ordinary scripts (tests/fixtures/sandbox/harmless/, each with a <c>// expect: allowed|denied &lt;message part&gt;</c>
/// header) load and decide as expected through the woven pipeline, and decide exactly as the same script compiled
/// without weaving: the budget changes no behaviour.
/// </summary>
public sealed class HarmlessScriptTests
{
    private const string Fixtures = "harmless";

    public static TheoryData<string> Scripts => SandboxFixtures.Names(Fixtures);

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Decide_HarmlessScript_GivesTheExpectedDecision(string script)
    {
        var expect = SandboxFixtures.Header(Fixtures, script, "expect");
        var loaded = SandboxFixtures.Load(Fixtures, script, timeoutSeconds: 10);
        Assert.Empty(loaded.Errors);
        var policy = Assert.Single(loaded.Policies);

        var decision = PolicyEvaluator.Decide(policy, SandboxFixtures.Pod());

        if (expect == "allowed")
        {
            Assert.True(decision.Outcome == DecisionOutcome.Allowed, $"{decision.Outcome}: {decision.Message}");
        }
        else
        {
            Assert.StartsWith("denied ", expect, StringComparison.Ordinal);
            Assert.True(decision.Outcome == DecisionOutcome.Denied, $"{decision.Outcome}: {decision.Message}");
            Assert.Contains(expect["denied ".Length..], decision.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Run_HarmlessScript_DecidesAsTheUnwovenScript(string script)
    {
        var code = await File.ReadAllTextAsync(Path.Combine(SandboxFixtures.Folder(Fixtures), script));
        if (code.Contains("class Settings", StringComparison.Ordinal))
        {
            return; // its settings are bound to the woven Settings type, which the unwoven script does not know
        }

        var policy = Assert.Single(SandboxFixtures.Load(Fixtures, script, timeoutSeconds: 10).Policies);
        var woven = PolicyEvaluator.Run(policy, SandboxFixtures.Pod());

        using var context = new PolicyContext(SandboxFixtures.Pod(), policy.Name, false, null, null, TimeSpan.FromSeconds(10), CancellationToken.None);
        var options = ScriptOptions.Default
            .WithReferences(ScriptEnvironment.References)
            .WithImports(ScriptEnvironment.Imports)
            .WithFileEncoding(Encoding.UTF8);
        await CSharpScript.RunAsync<PolicyResult>(code, options, context, typeof(PolicyContext));

        var unwoven = context.Denials.Count > 0 ? $"denied: {string.Join("; ", context.Denials)}" : "allowed";
        var actual = woven switch
        {
            PolicyVerdict.Denied d => $"denied: {d.Message}",
            PolicyVerdict.Allowed => "allowed",
            PolicyVerdict.Failed f => $"failed: {f.Error}",
            _ => woven.ToString(),
        };
        Assert.Equal(unwoven, actual);
    }
}
