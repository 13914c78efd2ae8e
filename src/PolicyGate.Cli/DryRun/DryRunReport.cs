namespace PolicyGate.Cli.DryRun;

/// <summary>Everything a dry run found, in input order.</summary>
internal sealed record DryRunReport(IReadOnlyList<DryRunResult> Results, IReadOnlyList<DryRunError> Errors, int ObjectCount, int PolicyCount)
{
    /// <summary>2 if any input or policy error, else 1 if anything is denied in protect mode, else 0.</summary>
    public int ExitCode =>
        Errors.Count > 0 ? ExitCodes.InputError
        : Results.Any(r => !r.Decision.Allowed) ? ExitCodes.Denied
        : ExitCodes.Success;
}
