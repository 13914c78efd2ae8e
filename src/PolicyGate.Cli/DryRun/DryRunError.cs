namespace PolicyGate.Cli.DryRun;

/// <summary>An input that could not be used: a manifest document, a policy, or a path.</summary>
internal sealed record DryRunError(string Source, string Message);
