namespace PolicyGate.Cli.Suites;

/// <summary>The outcome of one suite file: its cases, or why it is broken (then no case ran).</summary>
internal sealed record SuiteResult(string File, string Name, IReadOnlyList<CaseResult> Cases, IReadOnlyList<SuiteError> Errors)
{
    public bool Broken => Errors.Count > 0;

    public int Count(CaseStatus status) => Cases.Count(c => c.Status == status);
}
