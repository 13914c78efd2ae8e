using System.CommandLine;
using PolicyGate.Cli.Commands;

namespace PolicyGate.Cli.DryRun;

/// <summary><c>policygate dry-run --policy PATH... --manifests PATH...</c></summary>
internal static class DryRunCommand
{
    public static Command Create(CliConsole console)
    {
        var policies = new Option<string[]>("--policy", "-p")
        {
            Description = "Policy files or folders (YAML/JSON; several policies per file).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var manifests = new Option<string[]>("--manifests", "-m")
        {
            Description = "Manifest files or folders (recursive); '-' reads stdin. Multi-document YAML, JSON, kind: List.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var operation = new Option<string>("--operation")
        {
            Description = "The admission operation to simulate.",
            DefaultValueFactory = _ => "CREATE",
        };
        operation.AcceptOnlyFromAmong("CREATE", "UPDATE", "DELETE");
        var namespaceLabels = new Option<string[]>("--namespace-labels")
        {
            Description = "Labels of a namespace for namespaceSelector, as NS:key=value,key=value (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default, for people) or json (for programs).",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json");
        var isolation = IsolationOption.Create();
        var noCache = new Option<bool>("--no-cache")
        {
            Description = "Compile every script afresh instead of reusing compiled scripts from the cache folder.",
        };

        var command = new Command("dry-run", "Judge saved manifests with policies, as the webhook would, without a cluster.\n" + ExitCodes.Help)
        {
            policies, manifests, operation, namespaceLabels, output, isolation, noCache,
        };
        command.SetAction(parse =>
        {
            var labelErrors = new List<string>();
            var labels = NamespaceLabelOption.Parse(parse.GetValue(namespaceLabels) ?? [], labelErrors);
            if (labelErrors.Count > 0)
            {
                labelErrors.ForEach(e => console.Error.WriteLine($"error: --namespace-labels: {e}"));
                return ExitCodes.InputError;
            }

            var request = new DryRunRequest(
                parse.GetValue(policies)!,
                parse.GetValue(manifests)!,
                parse.GetValue(operation)!,
                labels,
                parse.GetValue(noCache) ? null : CompileCacheLocation.Resolve(),
                parse.GetValue(isolation) == IsolationOption.Process);
            var report = DryRunEngine.Execute(request, console.In);
            if (parse.GetValue(output) == "json")
            {
                JsonReportWriter.Write(report, console.Out);
            }
            else
            {
                TableReportWriter.Write(report, console);
            }

            return report.ExitCode;
        });
        return command;
    }
}
