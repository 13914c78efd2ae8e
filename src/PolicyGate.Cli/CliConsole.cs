namespace PolicyGate.Cli;

/// <summary>The streams a command reads and writes, so tests can run commands in-process.</summary>
/// <param name="IsTerminal">True when stdout is a terminal: tables get colour.</param>
internal sealed record CliConsole(TextReader In, TextWriter Out, TextWriter Error, bool IsTerminal);
