using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.Commands;

/// <summary>
/// Loads the policies of a command that must not run with any of them missing (<c>run</c>, <c>webhook-config</c>):
/// every problem is written to stderr, and the caller exits 2 on null.
/// </summary>
internal static class StrictPolicyLoad
{
    public static IReadOnlyList<CompiledPolicy>? Load(IEnumerable<string> policyPaths, CliConsole console)
    {
        var missing = new List<string>();
        var files = PolicyPaths.Expand(policyPaths, missing);
        missing.ForEach(m => console.Error.WriteLine($"error: {m}: policy path does not exist"));
        var loaded = new PolicyLoader(new PolicyCompiler(CompileCacheLocation.Resolve())).LoadFiles(files);
        foreach (var error in loaded.Errors)
        {
            console.Error.WriteLine($"error: {error}");
        }

        return missing.Count > 0 || loaded.Errors.Count > 0 ? null : loaded.Policies;
    }
}
