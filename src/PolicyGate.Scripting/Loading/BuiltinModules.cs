using System.Reflection;

namespace PolicyGate.Scripting.Loading;

/// <summary>The built-in policy scripts (<c>policies/*.csx</c>), embedded in the engine so <c>builtin://NAME</c> works anywhere.</summary>
public static class BuiltinModules
{
    public const string Scheme = PolicyGate.Core.Api.V1.PolicyResource.BuiltinScheme;
    private const string ResourcePrefix = "builtin/";
    private const string ResourceSuffix = ".csx";

    private static readonly Assembly Assembly = typeof(BuiltinModules).Assembly;

    /// <summary>The names of every built-in policy, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(ResourceSuffix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^ResourceSuffix.Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static string? TryGetSource(string name)
    {
        using var stream = Assembly.GetManifestResourceStream(ResourcePrefix + name + ResourceSuffix);
        if (stream is null)
        {
            return null;
        }

        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
