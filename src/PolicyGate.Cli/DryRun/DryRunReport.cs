namespace PolicyGate.Cli.DryRun;

/// <summary>
/// Everything a dry run found, in input order: each policy's own decision (<see cref="Results"/>), each object's
/// admission answer (<see cref="Answers"/>), the inputs that could not be used, and what the policies say that they
/// do not mean (<see cref="Warnings"/>: rules that can never match).
/// </summary>
internal sealed record DryRunReport(
    IReadOnlyList<DryRunResult> Results,
    IReadOnlyList<DryRunAnswer> Answers,
    IReadOnlyList<DryRunError> Errors,
    IReadOnlyList<DryRunWarning> Warnings,
    int ObjectCount,
    int PolicyCount)
{
    /// <summary>2 if any input or policy error, else 1 if any object is denied, else 0.</summary>
    public int ExitCode =>
        Errors.Count > 0 ? ExitCodes.InputError
        : Answers.Any(a => !a.Response.Allowed) ? ExitCodes.Denied
        : ExitCodes.Success;
}
