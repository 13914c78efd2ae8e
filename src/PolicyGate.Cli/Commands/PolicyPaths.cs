using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.Commands;

/// <summary>
/// Expands the <c>--policy</c> arguments: files as given, folders recursively (YAML and JSON files, test suites
/// left out); and the same for other kinds of file (<c>policygate test</c>'s suites).
/// </summary>
internal static class PolicyPaths
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, List<string> missing) =>
        Expand(paths, missing, PolicyLoader.IsPolicyFile);

    /// <param name="wanted">Which files of a folder are taken; a file given by its path is always taken.</param>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, List<string> missing, Func<string, bool> wanted)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(wanted)
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                missing.Add(path);
            }
        }

        return files;
    }
}
