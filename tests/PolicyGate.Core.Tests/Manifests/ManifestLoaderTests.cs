using System.Text;
using PolicyGate.Core.Manifests;

namespace PolicyGate.Core.Tests.Manifests;

public class ManifestLoaderTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fixtures", "manifests");

    private static string Fixture(string relative) => Path.Combine(Root, relative);

    private static string Name(ManifestDocument document) => document.Object["metadata"]!["name"]!.GetValue<string>();

    [Fact]
    public void Load_MultiDocumentFile_NamesEachDocumentByNumber()
    {
        var path = Fixture("app.yaml");

        var result = ManifestLoader.Load([path]);

        Assert.Empty(result.Errors);
        Assert.Equal([$"{path}#1", $"{path}#2"], result.Documents.Select(d => d.Source));
        Assert.Equal(["Deployment", "Service"], result.Documents.Select(d => d.Object["kind"]!.GetValue<string>()));
    }

    [Fact]
    public void Load_BrokenDocuments_AreReportedWithoutStoppingOthers()
    {
        var path = Fixture("broken.yaml");

        var result = ManifestLoader.Load([path]);

        Assert.Equal(["good-before", "good-after"], result.Documents.Select(Name));
        Assert.Equal($"{path}#6", result.Documents[1].Source);
        Assert.Equal([$"{path}#2", $"{path}#3", $"{path}#4", $"{path}#5"], result.Errors.Select(e => e.Source));
        Assert.Matches("^line 9, column 9: ", result.Errors[0].Message);
        Assert.Equal("missing required field \"apiVersion\" (document starting at line 10)", result.Errors[1].Message);
        Assert.StartsWith("expected a Kubernetes object (a mapping), found an array", result.Errors[2].Message, StringComparison.Ordinal);
        Assert.StartsWith("missing required field \"kind\"", result.Errors[3].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KindList_IsExpandedIntoItemsRecursively()
    {
        var path = Fixture("list.yaml");

        var result = ManifestLoader.Load([path]);

        Assert.Equal(
            [$"{path}#1/items[0]", $"{path}#1/items[1]", $"{path}#1/items[3]/items[0]"],
            result.Documents.Select(d => d.Source));
        Assert.Equal(["one", "two", "nested"], result.Documents.Select(Name));
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{path}#1/items[2]", error.Source);
        Assert.Equal("missing required field \"apiVersion\"", error.Message);
    }

    [Fact]
    public void Load_ListItems_HaveNoParent()
    {
        var result = ManifestLoader.Load([Fixture("list.yaml")]);

        Assert.All(result.Documents, d => Assert.Null(d.Object.Parent));
    }

    [Fact]
    public void Load_JsonTopLevelArray_IsTreatedAsList()
    {
        var path = Fixture("objects.json");

        var result = ManifestLoader.Load([path]);

        Assert.Equal(["team-a", "team-b"], result.Documents.Select(Name));
        Assert.Equal([$"{path}#1[0]", $"{path}#1[1]"], result.Documents.Select(d => d.Source));
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{path}#1[2]", error.Source);
        Assert.Contains("found a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_JsonSyntaxError_ReportsLineAndColumn()
    {
        var path = Fixture("broken.json");

        var result = ManifestLoader.Load([path]);

        Assert.Empty(result.Documents);
        var error = Assert.Single(result.Errors);
        Assert.Equal($"{path}#1", error.Source);
        Assert.StartsWith("line 4, column 24: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Folder_IsRecursiveFilteredAndSortedOrdinal()
    {
        var folder = Fixture("tree");

        var result = ManifestLoader.Load([folder]);

        Assert.Empty(result.Errors);
        Assert.Equal(["a", "b", "c"], result.Documents.Select(Name));
        Assert.Equal(
            [Path.Combine(folder, "a.yaml") + "#1", Path.Combine(folder, "b.yml") + "#1", Path.Combine(folder, "sub", "c.JSON") + "#1"],
            result.Documents.Select(d => d.Source));
    }

    [Fact]
    public void Load_MissingPath_IsAnErrorAndOthersStillLoad()
    {
        var missing = Fixture("does-not-exist.yaml");

        var result = ManifestLoader.Load([missing, Fixture("tree/a.yaml")]);

        var error = Assert.Single(result.Errors);
        Assert.Equal(missing, error.Source);
        Assert.Equal("no such file or folder", error.Message);
        Assert.Equal("a", Name(Assert.Single(result.Documents)));
    }

    [Fact]
    public void Load_ExplicitFileWithOtherExtension_IsRead()
    {
        var result = ManifestLoader.Load([Fixture("tree/notes.txt")]);

        Assert.Empty(result.Documents);
        Assert.StartsWith("missing required fields", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FolderWithHiddenEntries_SkipsThem()
    {
        var folder = Directory.CreateTempSubdirectory("policygate-manifests-");
        try
        {
            const string Manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\n";
            File.WriteAllText(Path.Combine(folder.FullName, "visible.yaml"), Manifest.Replace("NAME", "visible", StringComparison.Ordinal));
            File.WriteAllText(Path.Combine(folder.FullName, ".hidden.yaml"), Manifest.Replace("NAME", "hidden", StringComparison.Ordinal));
            Directory.CreateDirectory(Path.Combine(folder.FullName, ".git"));
            File.WriteAllText(Path.Combine(folder.FullName, ".git", "in-git.yaml"), Manifest.Replace("NAME", "git", StringComparison.Ordinal));

            var result = ManifestLoader.Load([folder.FullName]);

            Assert.Equal(["visible"], result.Documents.Select(Name));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_Stdin_ReadsTheGivenReader()
    {
        using var stdin = new StringReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n");

        var result = ManifestLoader.Load(["-"], stdin);

        var document = Assert.Single(result.Documents);
        Assert.Equal("<stdin>#1", document.Source);
        Assert.Equal("piped", Name(document));
    }

    [Fact]
    public void Load_ManyPaths_PreservesInputOrder()
    {
        var paths = new[] { Fixture("tree"), Fixture("app.yaml"), "-", Fixture("list.yaml"), Fixture("tree/a.yaml") };
        using var stdin = new StringReader("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\n");

        var result = ManifestLoader.Load(paths, stdin);

        Assert.Equal(["a", "b", "c", "web", "web", "piped", "one", "two", "nested", "a"], result.Documents.Select(Name));
    }

    [Fact]
    public void Load_SameInputTwice_GivesSameResult()
    {
        var paths = new[] { Fixture("broken.yaml"), Fixture("tree"), Fixture("objects.json") };

        var first = ManifestLoader.Load(paths);
        var second = ManifestLoader.Load(paths);

        Assert.Equal(first.Documents.Select(d => d.Source + d.Object.ToJsonString()), second.Documents.Select(d => d.Source + d.Object.ToJsonString()));
        Assert.Equal(first.Errors, second.Errors);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: 3\n", "field \"kind\" must be a non-empty string")]
    [InlineData("apiVersion: ''\nkind: Pod\n", "field \"apiVersion\" must be a non-empty string")]
    [InlineData("metadata: {}\n", "missing required fields \"apiVersion\" and \"kind\"")]
    [InlineData("apiVersion: v1\nkind: List\nitems: {}\n", "field \"items\" of a List must be an array")]
    [InlineData("--- ~\n", "expected a Kubernetes object (a mapping), found null")]
    [InlineData("--- 42\n", "expected a Kubernetes object (a mapping), found a number")]
    public void LoadText_InvalidObject_NamesTheProblem(string yaml, string expected)
    {
        var result = ManifestLoader.LoadText(yaml, "test.yaml");

        Assert.Empty(result.Documents);
        var error = Assert.Single(result.Errors);
        Assert.Equal("test.yaml#1", error.Source);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_EmptyList_YieldsNothing()
    {
        var result = ManifestLoader.LoadText("apiVersion: v1\nkind: List\nitems: []\n---\napiVersion: v1\nkind: List\n", "test.yaml");

        Assert.Empty(result.Documents);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void LoadText_KindEndingInListWithoutItems_IsAnOrdinaryObject()
    {
        var result = ManifestLoader.LoadText("apiVersion: example.com/v1\nkind: AllowList\nspec: {}\n", "test.yaml");

        Assert.Equal("AllowList", Assert.Single(result.Documents).Object["kind"]!.GetValue<string>());
    }

    [Fact]
    public void LoadText_TenThousandDocuments_LoadsAll()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            text.Append("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-").Append(i).Append("\n  labels: {app: x}\ndata:\n  key: value\n");
        }

        var result = ManifestLoader.LoadText(text.ToString(), "big.yaml");

        Assert.Empty(result.Errors);
        Assert.Equal(10_000, result.Documents.Count);
        Assert.Equal("big.yaml#10000", result.Documents[^1].Source);
    }
}
