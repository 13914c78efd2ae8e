namespace PolicyGate.Cli.Tests;

/// <summary>Runs <c>policygate</c> in-process with captured streams.</summary>
internal static class CliRunner
{
    public static string Root { get; } = FindRoot();

    public static string Fixture(string relative) => Path.Combine(Root, "tests", "fixtures", relative);

    public static string Repo(string relative) => Path.Combine(Root, relative);

    public static CliOutput InvokeWithStdin(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CliApp.Run(args, new CliConsole(new StringReader(stdin), output, error, IsTerminal: false));
        return new CliOutput(code, output.ToString(), error.ToString());
    }

    public static CliOutput Invoke(params string[] args) => InvokeWithStdin("", args);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyGate.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("PolicyGate.sln not found above " + AppContext.BaseDirectory);
    }
}
