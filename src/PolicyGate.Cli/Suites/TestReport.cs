namespace PolicyGate.Cli.Suites;

/// <summary>Everything a <c>policygate test</c> run found, suite by suite in file order.</summary>
/// <param name="Errors">Paths that do not exist, and paths that hold no suite.</param>
internal sealed record TestReport(IReadOnlyList<SuiteResult> Suites, IReadOnlyList<string> Errors)
{
    public int CaseCount => Suites.Sum(s => s.Cases.Count);

    public int Count(CaseStatus status) => Suites.Sum(s => s.Count(status));

    public int BrokenCount => Suites.Count(s => s.Broken);

    /// <summary>2 if a suite is broken, a case could not run or a path is wrong; else 1 if a case failed; else 0.</summary>
    public int ExitCode =>
        Errors.Count > 0 || BrokenCount > 0 || Count(CaseStatus.Error) > 0 ? ExitCodes.InputError
        : Count(CaseStatus.Failed) > 0 ? ExitCodes.TestFailed
        : ExitCodes.Success;
}
