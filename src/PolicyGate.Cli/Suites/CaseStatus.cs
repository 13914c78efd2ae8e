namespace PolicyGate.Cli.Suites;

/// <summary>How a case ended: its answer was as expected, was not, or the case could not be run.</summary>
internal enum CaseStatus
{
    Passed,
    Failed,
    Error,
}
