using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace PolicyGate.Cli.Tests;

/// <summary><c>policygate new</c>: a scaffold that loads, passes its own suite, judges manifests, and that an editor
/// (Roslyn's script support, as OmniSharp and Rider use it) type-checks with the generated globals.</summary>
public sealed class NewCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("policygate-new-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void New_WritesAPolicyItsScriptASuiteThatPassesAndEditorHelp()
    {
        var target = Path.Combine(_dir, "team-label");

        var created = CliRunner.Invoke("new", "team-label", "--dir", target);

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal([".gitignore", "omnisharp.json", "policygate.globals.csx", "team-label.csx", "team-label.test.yaml", "team-label.yaml"],
            Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var tested = CliRunner.Invoke("test", target);
        Assert.True(tested.ExitCode == 0, tested.Out + tested.Error);
    }

    [Fact]
    public void New_ThePolicyJudgesManifests()
    {
        var target = Path.Combine(_dir, "team-label");
        Assert.Equal(0, CliRunner.Invoke("new", "team-label", "--dir", target).ExitCode);
        var manifests = Path.Combine(_dir, "pods.yaml");
        File.WriteAllText(manifests, """
            apiVersion: v1
            kind: Pod
            metadata: {name: labelled, namespace: shop, labels: {team: shop}}
            spec: {containers: [{name: app, image: nginx:1.27}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: unlabelled, namespace: shop}
            spec: {containers: [{name: app, image: nginx:1.27}]}
            """);

        var result = CliRunner.Invoke("dry-run", "--policy", Path.Combine(target, "team-label.yaml"), "--manifests", manifests, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        var answers = System.Text.Json.Nodes.JsonNode.Parse(result.Out)!["answers"]!.AsArray();
        Assert.True((bool)answers[0]!["allowed"]!);
        Assert.False((bool)answers[1]!["allowed"]!);
        Assert.Contains("Pod unlabelled is missing the label(s) team", (string?)answers[1]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_TheEditorTypeChecksTheScriptWithTheGeneratedGlobals_AndCatchesMistakes()
    {
        var target = Path.Combine(_dir, "team-label");
        Assert.Equal(0, CliRunner.Invoke("new", "team-label", "--dir", target).ExitCode);
        var script = Path.Combine(target, "team-label.csx");

        Assert.Empty(await EditorErrorsAsync(script));

        // A typo is what the editor shows, on its line.
        File.WriteAllText(script, File.ReadAllText(script).Replace("GetSettings<Settings>()", "GetSetings<Settings>()", StringComparison.Ordinal));
        var errors = await EditorErrorsAsync(script);
        Assert.Contains(errors, e => e.Id == "CS0103" && e.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("GetSetings", StringComparison.Ordinal));
    }

    [Fact]
    public void New_RefusesABadNameAndExistingFiles()
    {
        Assert.Equal(2, CliRunner.Invoke("new", "Team_Label", "--dir", _dir).ExitCode);
        Assert.Equal(0, CliRunner.Invoke("new", "x", "--dir", _dir).ExitCode);
        var again = CliRunner.Invoke("new", "x", "--dir", _dir);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("pass --force", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Invoke("new", "x", "--dir", _dir, "--force").ExitCode);
    }

    /// <summary>Compiles the script as an editor's C# script support does: #load and #r resolved from the file's folder,
    /// no host globals.</summary>
    private static async Task<IReadOnlyList<Diagnostic>> EditorErrorsAsync(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        var options = ScriptOptions.Default
            .WithFilePath(path)
            .WithSourceResolver(new SourceFileResolver([], directory))
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory));
        var script = CSharpScript.Create(await File.ReadAllTextAsync(path), options);
        return [.. script.Compile().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }
}
