namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>
/// The expectation a corpus script under tests/fixtures/sandbox/ states in its first lines, as <c>// key: value</c>.
/// Shared with the fuzz suite, which serves the same corpus (linked there, not copied).
/// </summary>
internal static class CorpusHeaders
{
    /// <summary>The text after <c>// key:</c> on one of the file's first eight lines, or null when there is none.</summary>
    public static string? Optional(string path, string key)
    {
        var prefix = $"// {key}:";
        var line = File.ReadLines(path).Take(8).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return line?[prefix.Length..].Trim();
    }

    /// <summary>The text after <c>// key:</c>; a corpus file without it is a broken fixture.</summary>
    public static string Required(string path, string key) =>
        Optional(path, key) ?? throw new InvalidOperationException($"{Path.GetFileName(path)} has no '// {key}:' header line");
}
