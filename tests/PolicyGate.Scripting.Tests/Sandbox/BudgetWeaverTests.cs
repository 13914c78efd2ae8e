using System.Text;
using Xunit.Abstractions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Sandbox;

namespace PolicyGate.Scripting.Tests.Sandbox;

public sealed class BudgetWeaverTests(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var code = File.ReadAllText(Path.Combine(TestSupport.RepoPaths.Policies, "resource-limits.csx"));
        var (text, errors) = Weave(code);
        output.WriteLine(text);
        output.WriteLine(string.Join("\n", errors));
    }

    internal static (string Text, IReadOnlyList<string> Errors) Weave(string code)
    {
        var options = ScriptOptions.Default
            .WithReferences(ScriptEnvironment.References)
            .WithImports(ScriptEnvironment.Imports)
            .WithFilePath("test.csx")
            .WithFileEncoding(Encoding.UTF8);
        var compilation = CSharpScript.Create<PolicyResult>(code, options, globalsType: typeof(PolicyContext)).GetCompilation();
        var (woven, refusals) = BudgetWeaver.Weave(compilation);
        var errors = woven.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())
            .Concat(refusals.Select(r => r.Id + ": " + r.Message)).ToList();
        return (woven.SyntaxTrees.Single().ToString(), errors);
    }
}
