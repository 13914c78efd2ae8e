namespace PolicyGate.Cli.Tests;

internal sealed record CliOutput(int ExitCode, string Out, string Error);
