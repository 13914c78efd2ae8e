using PolicyGate.Core.Evaluation;

namespace PolicyGate.Cli.Commands;

/// <summary>
/// Loads the policies of a command that must not run with any of them missing (<c>run</c>, <c>webhook-config</c>):
/// every problem is written to stderr, and the caller exits 2 on null.
/// </summary>
internal static class StrictPolicyLoad
{
    /// <param name="loading">The loader (and the worker processes of isolated policies) the policies are used with.</param>
    public static IReadOnlyList<CompiledPolicy>? Load(IEnumerable<string> policyPaths, PolicyLoading loading, CliConsole console)
    {
        var missing = new List<string>();
        var files = PolicyPaths.Expand(policyPaths, missing);
        missing.ForEach(m => console.Error.WriteLine($"error: {m}: policy path does not exist"));
        var loaded = loading.Loader.LoadFiles(files);
        foreach (var error in loaded.Errors)
        {
            console.Error.WriteLine($"error: {error}");
        }

        return missing.Count > 0 || loaded.Errors.Count > 0 ? null : loaded.Policies;
    }
}
