using System.Diagnostics;
using System.Text.RegularExpressions;
using PolicyGate.Tests.TestSupport;

namespace PolicyGate.Core.Tests.Deploy;

/// <summary>
/// The kind end-to-end script (tests/e2e/run.sh) cannot run here (no Docker engine), so what can be checked without a
/// cluster is: it parses, what it copies exists, and the RBAC it grants is the RBAC README says serve needs.
/// </summary>
public sealed partial class E2eScriptTests
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "e2e", "run.sh");

    [Fact]
    public void Script_Parses()
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Script]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        Assert.True(bash.WaitForExit(30_000));
        Assert.True(bash.ExitCode == 0, errors);
    }

    [Fact]
    public void PathsItUses_Exist()
    {
        var text = File.ReadAllText(Script);
        foreach (var path in new[] { "deploy/crds", "src/PolicyGate.Cli", "Dockerfile" })
        {
            Assert.Contains(path == "Dockerfile" ? "docker build" : path, text, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, path)) || Directory.Exists(Path.Combine(RepoPaths.Root, path)), path);
        }
    }

    [Fact]
    public void RbacItGrants_IsTheReadmesTable()
    {
        var granted = Rules(File.ReadAllText(Script));
        var readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"))
            .SkipWhile(l => !l.Contains("**RBAC.**", StringComparison.Ordinal))
            .SkipWhile(l => !l.TrimStart().StartsWith("| `", StringComparison.Ordinal))
            .TakeWhile(l => l.TrimStart().StartsWith('|'))
            .ToList();
        Assert.True(readme.Count >= 5, "README's RBAC table");
        var documented = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in readme)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries).Skip(1).ToArray();
            var group = Ticked(cells[0]).Single().Replace("\"\"", "", StringComparison.Ordinal);
            foreach (var resource in Ticked(cells[1]))
            {
                foreach (var verb in Ticked(cells[2]))
                {
                    documented.Add($"{group}/{resource}:{verb}");
                }
            }
        }

        Assert.Equal(documented.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    /// <summary>Every group/resource:verb the script's Role and ClusterRole rules grant.</summary>
    private static HashSet<string> Rules(string script)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match rule in RuleLine().Matches(script))
        {
            foreach (var group in List(rule.Groups["groups"].Value))
            {
                foreach (var resource in List(rule.Groups["resources"].Value))
                {
                    foreach (var verb in List(rule.Groups["verbs"].Value))
                    {
                        result.Add($"{group.Trim('"')}/{resource}:{verb}");
                    }
                }
            }
        }

        return result;
    }

    private static string[] List(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static IEnumerable<string> Ticked(string cell) => TickedWord().Matches(cell).Select(m => m.Groups[1].Value);

    [GeneratedRegex(@"apiGroups: \[(?<groups>[^\]]*)\], resources: \[(?<resources>[^\]]*)\], verbs: \[(?<verbs>[^\]]*)\]")]
    private static partial Regex RuleLine();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex TickedWord();
}
