using PolicyGate.Cli.Commands;
using Spectre.Console;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// The default output: one row per case (broken suites get one row saying so), then what each failed case got
/// instead of what it expects, then a summary line; broken suites' errors go to stderr.
/// </summary>
internal static class TestTableWriter
{
    public static void Write(TestReport report, CliConsole console)
    {
        if (report.Suites.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("SUITE")
                .AddColumn("CASE")
                .AddColumn("RESULT");
            foreach (var suite in report.Suites)
            {
                if (suite.Broken)
                {
                    table.AddRow(new Text(suite.File), new Text("-"), new Text("broken", new Style(Color.Red)));
                }

                foreach (var result in suite.Cases)
                {
                    var (text, color) = result.Status switch
                    {
                        CaseStatus.Passed => ("pass", Color.Green),
                        CaseStatus.Failed => ("FAIL", Color.Red),
                        _ => ("error", Color.Red),
                    };
                    table.AddRow(new Text(suite.File), new Text(result.Name), new Text(text, new Style(color)));
                }
            }

            ConsoleTable.Write(table, console);
        }

        foreach (var suite in report.Suites)
        {
            foreach (var result in suite.Cases.Where(c => c.Status == CaseStatus.Failed))
            {
                console.Out.WriteLine();
                console.Out.WriteLine($"FAIL {suite.File}: {result.Name}");
                foreach (var mismatch in result.Mismatches)
                {
                    foreach (var line in mismatch.ToString().Split('\n'))
                    {
                        console.Out.WriteLine("  " + line);
                    }
                }
            }
        }

        console.Out.WriteLine(
            $"{report.Suites.Count} suite(s), {report.CaseCount} case(s): {report.Count(CaseStatus.Passed)} passed, " +
            $"{report.Count(CaseStatus.Failed)} failed, {report.Count(CaseStatus.Error)} error(s); {report.BrokenCount} broken suite(s)");

        foreach (var error in report.Errors)
        {
            console.Error.WriteLine($"error: {error}");
        }

        foreach (var suite in report.Suites)
        {
            foreach (var error in suite.Errors.Concat(suite.Cases.Select(c => c.Error).OfType<SuiteError>()))
            {
                console.Error.WriteLine($"error: {error}");
            }
        }
    }
}
