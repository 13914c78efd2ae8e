namespace PolicyGate.Cli.DryRun;

/// <summary>Something a policy says that it does not mean, such as a rule that can never match; it changes no exit code.</summary>
internal sealed record DryRunWarning(string Source, string Message);
