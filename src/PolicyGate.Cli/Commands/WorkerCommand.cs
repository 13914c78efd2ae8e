using System.CommandLine;
using PolicyGate.Scripting.Isolation;

namespace PolicyGate.Cli.Commands;

/// <summary>
/// <c>policygate worker</c>: the worker process an isolated policy runs in (started by <c>serve</c>, <c>dry-run</c> and
/// <c>run</c>, never by hand). It speaks a framed protocol on its standard input and output.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new Command("worker", "Run isolated policies for a parent policygate process (internal).") { Hidden = true };
        command.SetAction(_ =>
        {
            // Buffered: a frame's length and its body come in one read, not one system call each.
            using var input = new BufferedStream(Console.OpenStandardInput(), 64 * 1024);
            using var output = Console.OpenStandardOutput();
            return WorkerHost.Run(input, output, Console.Error);
        });
        return command;
    }
}
