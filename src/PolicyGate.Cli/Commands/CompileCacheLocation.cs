namespace PolicyGate.Cli.Commands;

/// <summary>
/// Where compiled policy scripts are kept between runs: <c>$POLICYGATE_CACHE_DIR</c>, else
/// <c>$XDG_CACHE_HOME/policygate/scripts</c>, else <c>~/.cache/policygate/scripts</c>.
/// </summary>
internal static class CompileCacheLocation
{
    public static string Resolve()
    {
        var explicitDir = Environment.GetEnvironmentVariable("POLICYGATE_CACHE_DIR");
        if (!string.IsNullOrEmpty(explicitDir))
        {
            return explicitDir;
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(root, "policygate", "scripts");
    }
}
