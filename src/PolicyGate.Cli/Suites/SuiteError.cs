namespace PolicyGate.Cli.Suites;

/// <summary>Why a suite or a case cannot run: the file, the line and column when known, the case, the field.</summary>
/// <param name="Case">The name of the case the error is in, when it is in one.</param>
/// <param name="Field">The field, as a path (<c>cases[2].expect.allowed</c>); empty for the whole file.</param>
internal sealed record SuiteError(string File, int? Line, int? Column, string? Case, string Field, string Message)
{
    public string Where => Line is { } line ? $"{File}:{line}:{Column}" : File;

    public override string ToString() =>
        Where + ": " + (Case is null ? "" : $"case \"{Case}\": ") + (Field.Length == 0 ? "" : Field + ": ") + Message;
}
