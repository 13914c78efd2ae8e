using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.Commands;

/// <summary>Expands the <c>--policy</c> arguments: files as given, folders recursively (YAML and JSON files).</summary>
internal static class PolicyPaths
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths, List<string> missing)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(PolicyLoader.IsPolicyFile)
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
