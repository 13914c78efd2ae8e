namespace PolicyGate.Tests.TestSupport;

/// <summary>Finds the repository (the folder holding PolicyGate.sln) and the data in it. Compiled into each test project that needs it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Policies => Path.Combine(Root, "policies");

    /// <summary>The Pod Security conformance data (Apache-2.0, provenance in its README): <c>tests/fixtures/conformance</c>.</summary>
    public static string Conformance => Path.Combine(Root, "tests", "fixtures", "conformance");

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
