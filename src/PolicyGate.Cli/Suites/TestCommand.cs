using System.CommandLine;
using System.Xml;
using PolicyGate.Cli.Commands;

namespace PolicyGate.Cli.Suites;

/// <summary><c>policygate test PATH...</c>: runs policy test suites (<c>*.test.yaml</c>, <c>kind: PolicyTest</c>).</summary>
internal static class TestCommand
{
    public const string Help =
        "Exit codes: 0 every case passed; 1 a case got another answer than it expects; 2 a suite is broken (unreadable, invalid, " +
        "or its policies do not load), a case could not run, or bad arguments. A broken suite does not stop the others.";

    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH")
        {
            Description = "Suite files, or folders searched recursively for *.test.yaml.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "table (default, for people) or json (for programs).",
            DefaultValueFactory = _ => "table",
        };
        output.AcceptOnlyFromAmong("table", "json");
        var junit = new Option<string?>("--junit")
        {
            Description = "Also write a JUnit XML report to this file (one testsuite per suite file, one testcase per case).",
        };
        var isolation = IsolationOption.Create();
        var noCache = new Option<bool>("--no-cache")
        {
            Description = "Compile every script afresh instead of reusing compiled scripts from the cache folder.",
        };

        var command = new Command("test", "Run policy test suites: each case's request judged by its policies, as the webhook would, and compared with what it expects.\n" + Help)
        {
            paths, output, junit, isolation, noCache,
        };
        command.SetAction(parse =>
        {
            using var loading = new PolicyLoading(parse.GetValue(noCache) ? null : CompileCacheLocation.Resolve(), parse.GetValue(isolation) == IsolationOption.Process);
            var report = SuiteRunner.Execute(parse.GetValue(paths)!, loading.Loader);
            if (parse.GetValue(output) == "json")
            {
                TestJsonWriter.Write(report, console.Out);
            }
            else
            {
                TestTableWriter.Write(report, console);
            }

            if (parse.GetValue(junit) is { } junitPath)
            {
                try
                {
                    using var writer = XmlWriter.Create(junitPath, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
                    JUnitWriter.Build(report).Save(writer);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    console.Error.WriteLine($"error: --junit {junitPath}: cannot write the report: {ex.Message}");
                    return ExitCodes.InputError;
                }
            }

            return report.ExitCode;
        });
        return command;
    }
}
