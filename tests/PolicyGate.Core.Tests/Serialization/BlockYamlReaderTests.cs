using System.Text;
using System.Text.Json;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Tests.Serialization;

/// <summary>
/// The fast path for plain block YAML (<see cref="BlockYamlReader"/>, through <see cref="YamlJson.ParseDocumentsAsJson"/>)
/// against the full path (<see cref="YamlJson.ParseDocuments"/>): the same documents, indexes, lines, errors and
/// positions, and JSON byte for byte what serialising the full path's node gives.
/// </summary>
public class BlockYamlReaderTests
{
    private const string Pod = """
        # a comment before the document
        apiVersion: v1
        kind: Pod
        metadata:
          name: web   # a trailing comment
          namespace: "shop"
          labels:
            app.kubernetes.io/name: 'it''s'
            tier: backend
          annotations: {owner: team-a, "quoted key": x, empty: []}
        spec:
          securityContext:
            runAsNonRoot: true
            runAsUser: 1000
          containers:
          - name: app
            image: registry.example.com/app:1.0
            args: ["--port", 8080, -1, 1.5e3, null, ~, True, {a: [b, c]}]
            ports:
            - containerPort: 80
              protocol: TCP
            -   containerPort: 443
            resources:
              limits: {cpu: 500m, memory: 256Mi}
            env:
            -
              name: EMPTY
              value:
            - name: URL
              value: http://example.com/a#b
          volumes:
            - name: data
              emptyDir: {}
          tolerations: []
          nodeSelector:
        """;

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    /// <summary>Every bundled YAML fixture (manifests, policies, suites, scenarios, broken and hostile files).</summary>
    public static TheoryData<string> FixtureFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Fixture(), "*.y*ml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Fixture(), file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void ParseDocumentsAsJson_BundledFixture_SameAsFullPath(string file)
    {
        var text = File.ReadAllText(Fixture(file));

        Assert.Equal([], Differences(text));
    }

    [Fact]
    public void ParseDocumentsAsJson_BundledManifests_MostlyTakeTheFastPath()
    {
        var results = YamlJson.ParseDocumentsAsJson(File.ReadAllText(Fixture("manifests", "app.yaml")));

        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.NotNull(r.Element));
    }

    [Fact]
    public void ParseDocumentsAsJson_PlainBlockManifest_TakesFastPathWithSameJson()
    {
        var result = Assert.Single(YamlJson.ParseDocumentsAsJson(Pod));

        Assert.NotNull(result.Element);
        Assert.Null(result.Node);
        Assert.Equal(2, result.Line); // the first content line, as the full path says
        Assert.Equal([], Differences(Pod));
        var element = result.Element.Value;
        Assert.Equal("it's", element.GetProperty("metadata").GetProperty("labels").GetProperty("app.kubernetes.io/name").GetString());
        Assert.Equal(JsonValueKind.Null, element.GetProperty("spec").GetProperty("nodeSelector").ValueKind);
        Assert.Equal(2, element.GetProperty("spec").GetProperty("containers")[0].GetProperty("ports").GetArrayLength());
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n")] // anchor, alias
    [InlineData("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")] // merge key
    [InlineData("v: !!str 42\n")] // tag
    [InlineData("v: |\n  line one\n  line two\n")] // literal block scalar
    [InlineData("v: >-\n  folded\n")] // folded block scalar
    [InlineData("v: a plain scalar\n  continued on a second line\n")]
    [InlineData("v: \"an \\\"escaped\\\" quote\"\n")]
    [InlineData("v: 'over\n  two lines'\n")]
    [InlineData("v: [a,\n  b]\n")] // flow over two lines
    [InlineData("? complex\n: key\n")]
    [InlineData("%YAML 1.2\n---\nv: 1\n")]
    [InlineData("v: 1\n...\n")]
    [InlineData("v:\ttab\n")]
    [InlineData("v: caf\u00e9\n")]
    [InlineData("- - nested\n  - inline\n")]
    [InlineData("just a scalar\n")]
    [InlineData("--- {a: 1}\n")]
    [InlineData("v: [http://example.com]\n")]
    public void ParseDocumentsAsJson_OutsideTheSubset_FallsBackToFullPath(string yaml)
    {
        var result = Assert.Single(YamlJson.ParseDocumentsAsJson(yaml));

        Assert.Null(result.Element);
        Assert.Equal([], Differences(yaml));
    }

    [Theory]
    [InlineData("a: 1\na: 2\n", 2)] // duplicate key
    [InlineData("a: 1\n b: 2\n", 2)] // indented where no node may start
    [InlineData("a: b: c\n", 1)]
    [InlineData("a:\n  b: 1\n c: 2\n", 3)]
    [InlineData("a: .inf\n", 1)]
    [InlineData("a: 1e999\n", 1)]
    [InlineData("a: 'unclosed\n", 1)]
    [InlineData("a: [1, 2\n", 2)] // YamlDotNet finds it open at the next line
    [InlineData("a: {x: 1, x: 2}\n", 1)]
    [InlineData("- a\nb: 1\n", 2)]
    [InlineData("a: 1\n- b\n", 2)]
    [InlineData("a: \"x\" y\n", 1)]
    [InlineData("a: [1, 2,]\n", 1)]
    public void ParseDocumentsAsJson_InvalidYaml_ReportsFullPathErrorAndPosition(string broken, int errorLine)
    {
        // The broken document sits between two good ones, after comment lines, so lines are counted across slices.
        var text = $"# header\napiVersion: v1\nkind: A\n---\n# before\n{broken}---\napiVersion: v1\nkind: C\n";

        var results = YamlJson.ParseDocumentsAsJson(text);

        Assert.Equal([], Differences(text));
        Assert.Equal(3, results.Count);
        Assert.NotNull(results[0].Element);
        Assert.True(results[1].IsError || results[1].Node is not null, "the broken document is read by the full path");
        Assert.NotNull(results[2].Element);
        if (results[1].IsError)
        {
            Assert.Equal(5 + errorLine, results[1].Line);
        }
    }

    [Fact]
    public void ParseDocumentsAsJson_EmptyAndCommentOnlyDocuments_CountAsTheFullPathCounts()
    {
        const string text = "# only a comment\n---\n---\n# comment\n---\na: 1\n---\n\n---\nb: 2\n";

        var results = YamlJson.ParseDocumentsAsJson(text);

        Assert.Equal([], Differences(text));
        Assert.Equal([2, 4], results.Select(r => r.Index)); // the comment-only first slice holds a bare "---": a document
        Assert.Equal([5, 9], results.Select(r => r.Line));
        Assert.All(results, r => Assert.NotNull(r.Element));
    }

    [Fact]
    public void ParseDocumentsAsJson_CrLfLineEndings_TakeFastPath()
    {
        var text = Pod.ReplaceLineEndings("\r\n");

        Assert.NotNull(Assert.Single(YamlJson.ParseDocumentsAsJson(text)).Element);
        Assert.Equal([], Differences(text));
    }

    [Theory]
    [InlineData(BlockYamlReader.MaxDepth + 1)]
    [InlineData(YamlJson.MaxDepth + 1)]
    public void ParseDocumentsAsJson_DeepNesting_LeftToFullPathAndItsLimit(int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(' ', i).Append("k:\n");
        }

        var result = Assert.Single(YamlJson.ParseDocumentsAsJson(text.ToString()));

        Assert.Null(result.Element);
        Assert.Equal(depth > YamlJson.MaxDepth, result.IsError);
    }

    [Fact]
    public void ParseDocumentsAsJson_ManyKeys_LeftToFullPath()
    {
        var text = string.Concat(Enumerable.Range(0, BlockYamlReader.MaxKeys + 1).Select(i => $"k{i}: {i}\n"));

        var result = Assert.Single(YamlJson.ParseDocumentsAsJson(text));

        Assert.Null(result.Element);
        Assert.Equal(BlockYamlReader.MaxKeys + 1, result.Node!.AsObject().Count);
    }

    /// <summary>What differs between the two paths on <paramref name="text"/>; empty when they agree.</summary>
    internal static List<string> Differences(string text)
    {
        var full = YamlJson.ParseDocuments(text);
        var fast = YamlJson.ParseDocumentsAsJson(text);
        var differences = new List<string>();
        if (full.Count != fast.Count)
        {
            differences.Add($"{full.Count} documents by the full path, {fast.Count} by the fast one");
            return differences;
        }

        for (var i = 0; i < full.Count; i++)
        {
            var (a, b) = (full[i], fast[i]);
            if ((a.Index, a.Line, a.Column, a.Error) != (b.Index, b.Line, b.Column, b.Error))
            {
                differences.Add($"document {i}: full ({a.Index}, line {a.Line}, column {a.Column}, {a.Error}), fast ({b.Index}, line {b.Line}, column {b.Column}, {b.Error})");
                continue;
            }

            var expected = a.IsError ? "" : JsonSerializer.SerializeToElement(a.Node).GetRawText();
            var actual = b.Element is { } element ? element.GetRawText() : b.IsError ? "" : JsonSerializer.SerializeToElement(b.Node).GetRawText();
            if (expected != actual)
            {
                differences.Add($"document {i}: full {expected}, fast {actual}");
            }
        }

        return differences;
    }
}
