using System.CommandLine;

namespace PolicyGate.Cli.Certs;

/// <summary><c>policygate certs</c>: the group of certificate commands (<c>generate</c>).</summary>
internal static class CertsCommand
{
    public static Command Create(CliConsole console) =>
        new("certs", "Serving certificates for the webhook (see certs/README.md).")
        {
            CertsGenerateCommand.Create(console),
        };
}
