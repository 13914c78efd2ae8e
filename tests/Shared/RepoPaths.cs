namespace PolicyGate.Tests.TestSupport;

/// <summary>Finds the repository (the folder holding PolicyGate.sln) and the shared data beside it. Compiled into each test project that needs it.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Policies => Path.Combine(Root, "policies");

    /// <summary>The Pod Security conformance data: <c>../shared/conformance</c> from the repository.</summary>
    public static string Conformance
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "conformance"));
            return Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException($"The conformance data is expected at {path} (the shared/ folder beside the repository).");
        }
    }

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
