namespace PolicyGate.Scripting.Compilation;

/// <summary>A compile error in a policy script, located by file, line and column (1-based).</summary>
public sealed record PolicyDiagnostic(string File, int Line, int Column, string Id, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): error {Id}: {Message}";
}
