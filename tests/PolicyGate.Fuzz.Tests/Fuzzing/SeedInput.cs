using PolicyGate.Cli.Tests;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>A bundled input the mutators start from: its repository-relative name, bytes and format.</summary>
internal sealed record SeedInput(string Name, byte[] Bytes, InputFormat Format)
{
    public string Extension => Format == InputFormat.Json ? ".json" : ".yaml";

    /// <summary>Reads repository files (relative paths, or folders searched for .yaml/.yml/.json) as seeds.</summary>
    public static IReadOnlyList<SeedInput> Load(params string[] relativePaths)
    {
        var seeds = new List<SeedInput>();
        foreach (var relative in relativePaths)
        {
            var full = Path.Combine(CliRunner.Root, relative);
            IEnumerable<string> files = Directory.Exists(full)
                ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json")
                    .Order(StringComparer.Ordinal)
                : [full];
            foreach (var file in files)
            {
                var name = Path.GetRelativePath(CliRunner.Root, file).Replace('\\', '/');
                var format = Path.GetExtension(file) == ".json" ? InputFormat.Json : InputFormat.Yaml;
                seeds.Add(new SeedInput(name, File.ReadAllBytes(file), format));
            }
        }

        return seeds.Count > 0 ? seeds : throw new InvalidOperationException("no seed inputs found: " + string.Join(", ", relativePaths));
    }
}
