using System.CommandLine;
using PolicyGate.Cli.Certs;
using PolicyGate.Cli.DryRun;
using PolicyGate.Cli.Run;
using PolicyGate.Cli.WebhookConfig;

namespace PolicyGate.Cli;

/// <summary>The <c>policygate</c> command line: parsing, dispatch and exit codes only.</summary>
internal static class CliApp
{
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand("PolicyGate: admission policies as C# scripts for Kubernetes.\n" + ExitCodes.Help)
        {
            DryRunCommand.Create(console),
            RunCommand.Create(console),
            Serve.ServeCommand.Create(console),
            CertsCommand.Create(console),
            WebhookConfigCommand.Create(console),
        };

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine($"error: {error.Message}");
            }

            console.Error.WriteLine("Run 'policygate --help' for usage.");
            return ExitCodes.InputError;
        }

        return parse.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error });
    }
}
