using System.CommandLine;
using PolicyGate.Cli.Certs;
using PolicyGate.Cli.DryRun;
using PolicyGate.Cli.Run;
using PolicyGate.Cli.WebhookConfig;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Cli;

/// <summary>The <c>policygate</c> command line: parsing, dispatch and exit codes only.</summary>
internal static class CliApp
{
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var verbose = new Option<bool>("--verbose")
        {
            Description = "On an internal error, print its stack trace too.",
            Recursive = true,
        };
        var root = new RootCommand("PolicyGate: admission policies as C# scripts for Kubernetes.\n" + ExitCodes.Help)
        {
            verbose,
            DryRunCommand.Create(console),
            RunCommand.Create(console),
            Serve.ServeCommand.Create(console),
            CertsCommand.Create(console),
            WebhookConfigCommand.Create(console),
            Suites.TestCommand.Create(console),
            New.NewCommand.Create(console),
            Commands.WorkerCommand.Create(),
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

        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false, // its exit code is 1, which means "denied"
            });
        }
        catch (Exception ex)
        {
            // Last resort: every input error is reported where it happens; whatever still gets here is a bug, and it
            // must not look like a denial (exit 1) or print a wall of stack trace to a user who cannot act on it.
            ReportInternalError(ex, parse.GetValue(verbose), console);
            return ExitCodes.InputError;
        }
    }

    private static void ReportInternalError(Exception exception, bool verbose, CliConsole console)
    {
        try
        {
            console.Error.WriteLine($"error: internal error: {ExceptionText.Describe(exception)}" +
                (verbose ? "" : " (run again with --verbose for the stack trace)"));
            if (verbose)
            {
                console.Error.WriteLine(ExceptionText.WithStackTrace(exception));
            }
        }
        catch (IOException)
        {
            // Standard error itself is gone (a closed pipe): the exit code is all that is left to say it.
        }
    }
}
