namespace PolicyGate.Cli.DryRun;

/// <summary>What to dry-run: policy and manifest paths (<c>-</c> is stdin), the operation and namespace labels.</summary>
internal sealed record DryRunRequest(
    IReadOnlyList<string> PolicyPaths,
    IReadOnlyList<string> ManifestPaths,
    string Operation,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels,
    string? CacheDirectory,
    bool IsolateAll = false);
