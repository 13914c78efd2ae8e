using PolicyGate.Cli.Commands;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using Spectre.Console;

namespace PolicyGate.Cli.DryRun;

/// <summary>The default output: one row per (object, policy), a summary line, then the errors. Colour only on a terminal.</summary>
internal static class TableReportWriter
{
    public static void Write(DryRunReport report, CliConsole console)
    {
        if (report.Results.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("OBJECT")
                .AddColumn("POLICY")
                .AddColumn("RESULT")
                .AddColumn("MESSAGE");
            foreach (var result in report.Results)
            {
                table.AddRow(
                    new Text(result.Object.Display),
                    new Text(result.Decision.Policy + (result.Decision.Mode == PolicyMode.Monitor ? " (monitor)" : "")),
                    Outcome(result.Decision),
                    new Text(Describe(result.Decision)));
            }

            ConsoleTable.Write(table, console);
        }

        var denied = report.Results.Count(r => !r.Decision.Allowed);
        var mutated = report.Results.Count(r => r.Decision.Outcome == DecisionOutcome.Mutated);
        var allowed = report.Results.Count - denied;
        console.Out.WriteLine(
            $"{report.ObjectCount} object(s), {report.PolicyCount} polic{(report.PolicyCount == 1 ? "y" : "ies")}, " +
            $"{report.Results.Count} decision(s): {allowed} allowed ({mutated} mutated), {denied} denied, {report.Errors.Count} error(s)");

        foreach (var warning in report.Warnings)
        {
            console.Error.WriteLine($"warning: {warning.Source}: {warning.Message}");
        }

        foreach (var error in report.Errors)
        {
            console.Error.WriteLine($"error: {error.Source}: {error.Message}");
        }
    }

    private static Text Outcome(PolicyDecision decision)
    {
        var (text, style) = decision switch
        {
            { Allowed: false, Outcome: DecisionOutcome.Failed } => ("failed", "red"),
            { Allowed: false } => ("denied", "red"),
            { Outcome: DecisionOutcome.Mutated } => ("mutated", "blue"),
            { Outcome: DecisionOutcome.Denied } => ("would deny", "yellow"),
            { Outcome: DecisionOutcome.Failed } => ("failed, ignored", "yellow"),
            _ => ("allowed", "green"),
        };
        return new Text(text, new Style(Color.FromConsoleColor(Enum.Parse<ConsoleColor>(style, ignoreCase: true))));
    }

    private static string Describe(PolicyDecision decision)
    {
        var parts = new List<string>();
        if (decision.Message is not null)
        {
            parts.Add(decision.Message);
        }

        if (decision.Patch is { } patch)
        {
            parts.Add("patch: " + patch.ToJsonString());
        }

        parts.AddRange(decision.Warnings.Where(w => w != decision.Message).Select(w => "warning: " + w));
        return string.Join("\n", parts);
    }
}
