using PolicyGate.Scripting.Runtime;

namespace PolicyGate.Scripting.Compilation;

/// <summary>The outcome of compiling a policy script: a program ready to run, or its diagnostics.</summary>
public abstract record PolicyCompilation
{
    public sealed record Succeeded(ScriptProgram Program) : PolicyCompilation;

    public sealed record Failed(IReadOnlyList<PolicyDiagnostic> Diagnostics) : PolicyCompilation;
}
