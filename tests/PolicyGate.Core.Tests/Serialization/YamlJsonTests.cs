using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Tests.Serialization;

public class YamlJsonTests
{
    private static JsonNode? Single(string yaml)
    {
        var documents = YamlJson.ParseDocuments(yaml);
        var document = Assert.Single(documents);
        Assert.Null(document.Error);
        return document.Node;
    }

    private static string Json(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "yaml", name));

    [Theory]
    [InlineData("v: null", "null")]
    [InlineData("v: Null", "null")]
    [InlineData("v: NULL", "null")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: true", "true")]
    [InlineData("v: True", "true")]
    [InlineData("v: TRUE", "true")]
    [InlineData("v: false", "false")]
    [InlineData("v: FALSE", "false")]
    [InlineData("v: tRUE", "\"tRUE\"")]
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: on", "\"on\"")]
    [InlineData("v: 42", "42")]
    [InlineData("v: -17", "-17")]
    [InlineData("v: +5", "5")]
    [InlineData("v: 007", "7")]
    [InlineData("v: 0x1F", "31")]
    [InlineData("v: 0o17", "15")]
    [InlineData("v: 0x", "\"0x\"")]
    [InlineData("v: -0x1F", "\"-0x1F\"")]
    [InlineData("v: 123456789012345678901234567890", "123456789012345678901234567890")]
    [InlineData("v: 1.5", "1.5")]
    [InlineData("v: -.5", "-0.5")]
    [InlineData("v: 1.", "1")]
    [InlineData("v: 1e3", "1000")]
    [InlineData("v: 2.5E-1", "0.25")]
    [InlineData("v: 1.2.3", "\"1.2.3\"")]
    [InlineData("v: 1_000", "\"1_000\"")]
    [InlineData("v: 12:30", "\"12:30\"")]
    [InlineData("v: 2024-01-01", "\"2024-01-01\"")]
    [InlineData("v: hello world", "\"hello world\"")]
    [InlineData("v: nullable", "\"nullable\"")]
    [InlineData("v: 500m", "\"500m\"")]
    public void ParseDocuments_PlainScalar_ResolvesWithCoreSchema(string yaml, string expectedValue)
    {
        var node = Single(yaml);

        Assert.Equal("{\"v\":" + expectedValue + "}", Json(node));
    }

    [Theory]
    [InlineData("v: 'true'", "\"true\"")]
    [InlineData("v: \"42\"", "\"42\"")]
    [InlineData("v: 'null'", "\"null\"")]
    [InlineData("v: \"\"", "\"\"")]
    [InlineData("v: |\n  42\n", "\"42\\n\"")]
    [InlineData("v: >-\n  true\n", "\"true\"")]
    [InlineData("v: !!str 42", "\"42\"")]
    [InlineData("v: ! 42", "\"42\"")]
    [InlineData("v: !!int \"42\"", "42")]
    [InlineData("v: !!float 1", "1")]
    [InlineData("v: !custom 42", "42")]
    public void ParseDocuments_QuotedBlockOrTaggedScalar_FollowsStyleAndTag(string yaml, string expectedValue)
    {
        var node = Single(yaml);

        Assert.Equal("{\"v\":" + expectedValue + "}", Json(node));
    }

    [Theory]
    [InlineData("v: .inf")]
    [InlineData("v: -.Inf")]
    [InlineData("v: +.INF")]
    [InlineData("v: .nan")]
    [InlineData("v: .NaN")]
    [InlineData("v: 1e999")]
    [InlineData("v: !!int abc")]
    public void ParseDocuments_ScalarWithoutJsonForm_ReportsErrorWithPosition(string yaml)
    {
        var document = Assert.Single(YamlJson.ParseDocuments(yaml));

        Assert.True(document.IsError);
        Assert.Null(document.Node);
        Assert.Equal(1, document.Line);
        Assert.Equal(4, document.Column);
    }

    [Fact]
    public void ParseDocuments_NestedStructure_KeepsOrderAndTypes()
    {
        var node = Single("b: 1\na:\n  - x\n  - {k: v, n: 2}\n  - [1, two]\nc: {}\n");

        Assert.Equal("{\"b\":1,\"a\":[\"x\",{\"k\":\"v\",\"n\":2},[1,\"two\"]],\"c\":{}}", Json(node));
    }

    [Theory]
    [InlineData("1: a\ntrue: b\nnull: c\n'q': d\n", "{\"1\":\"a\",\"true\":\"b\",\"null\":\"c\",\"q\":\"d\"}")]
    [InlineData("app.kubernetes.io/name: x\n", "{\"app.kubernetes.io/name\":\"x\"}")]
    public void ParseDocuments_ScalarKeys_UseTheirText(string yaml, string expected)
    {
        Assert.Equal(expected, Json(Single(yaml)));
    }

    [Theory]
    [InlineData("? [a, b]\n: 1\n", 1, 3)]
    [InlineData("a: 1\n? {k: v}\n: 2\n", 2, 3)]
    [InlineData("a: 1\nb: 2\na: 3\n", 3, 1)]
    [InlineData("a: *nothing\n", 1, 4)]
    public void ParseDocuments_InvalidMapping_ReportsErrorAtKey(string yaml, int line, int column)
    {
        var document = Assert.Single(YamlJson.ParseDocuments(yaml));

        Assert.True(document.IsError);
        Assert.Equal(line, document.Line);
        Assert.Equal(column, document.Column);
    }

    [Fact]
    public void ParseDocuments_DuplicateKey_NamesTheKey()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("a: 1\na: 2\n"));

        Assert.Contains("duplicate mapping key \"a\"", document.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_AnchorsAndMergeKeys_AreResolved()
    {
        var node = Single(Fixture("anchors.yaml"));

        Assert.Equal(
            "{\"defaults\":{\"image\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}},"
            + "\"first\":{\"image\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}},\"name\":\"first\"},"
            + "\"second\":{\"image\":\"override\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}},\"pullPolicy\":\"Always\"},"
            + "\"copy\":{\"image\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}}",
            Json(node));
    }

    [Fact]
    public void ParseDocuments_AliasedNode_IsAnIndependentCopy()
    {
        var node = Single("a: &x {k: [1]}\nb: *x\n")!;

        node["a"]!["k"]!.AsArray().Add(2);

        Assert.Equal("[1]", Json(node["b"]!["k"]));
    }

    [Fact]
    public void ParseDocuments_AliasBomb_RefusedWithinAFewThousandNodes()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        for (var level = 1; level < 9; level++)
        {
            var previous = (char)('a' + level - 1);
            var current = (char)('a' + level);
            yaml += $"{current}: &{current} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n";
        }

        var document = Assert.Single(YamlJson.ParseDocuments(yaml));

        Assert.True(document.IsError);
        Assert.Contains("through aliases", document.Error, StringComparison.Ordinal);
        Assert.Contains("Kubernetes' YAML decoder", document.Error, StringComparison.Ordinal);
        var expanded = int.Parse(Regex.Match(document.Error!, @"of its first (\d+) nodes").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(expanded, 1000, 20_000); // refused long before the 10^9 nodes it would expand to
    }

    [Fact]
    public void ParseDocuments_AnchorReusedInALargeDocument_IsAccepted()
    {
        // Aliases used the way manifests use them (a shared block, reused a few hundred times) stay well inside the rule.
        var yaml = new StringBuilder("base: &base {cpu: 100m, memory: 64Mi}\nitems:\n");
        for (var i = 0; i < 300; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"- {{name: item{i}, size: {i}, labels: {{a: b, c: d}}, resources: *base}}\n");
        }

        var node = Single(yaml.ToString());

        Assert.Equal(300, node!["items"]!.AsArray().Count);
        Assert.Equal("64Mi", node["items"]![299]!["resources"]!["memory"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("[", 100_000)]
    [InlineData("{a: ", 100_000)]
    [InlineData("- ", 20_000)]
    public void ParseDocuments_NestedFarPastTheLimit_RefusedNamingTheLimit(string level, int depth)
    {
        var closing = level switch { "[" => "]", "{a: " => "}", _ => "" };
        var yaml = "apiVersion: v1\nkind: ConfigMap\ndata: " + (level == "- " ? "\n" : "") +
            string.Concat(Enumerable.Repeat(level, depth)) + "x" + string.Concat(Enumerable.Repeat(closing, depth)) + "\n";

        var document = Assert.Single(YamlJson.ParseDocuments(yaml));

        Assert.True(document.IsError);
        Assert.Contains("nested deeper than the limit of 256 levels", document.Error, StringComparison.Ordinal);
        Assert.Equal(level == "- " ? 4 : 3, document.Line);
    }

    [Theory]
    [InlineData("metadata: {name: broken, namespace: shop\nspec: [this is: not: valid\n", 2)]
    [InlineData("apiVersion: v1\nkind: Pod\nmetadata: {\nname: x}\n", 4)]
    public void ParseDocuments_FlowCollectionContinuedAtColumnZero_IsASyntaxErrorWithItsLine(string yaml, int line)
    {
        // YamlDotNet's scanner throws a bare InvalidOperationException on these: it is still the document's error.
        var document = Assert.Single(YamlJson.ParseDocuments(yaml));

        Assert.True(document.IsError);
        Assert.Equal(line, document.Line);
        Assert.Contains("invalid YAML", document.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_ScannerFailure_DoesNotLoseTheDocumentsAround()
    {
        var documents = YamlJson.ParseDocuments("a: 1\n---\nmetadata: {\nname: x}\n---\nb: 2\n");

        Assert.Equal(3, documents.Count);
        Assert.Equal(["{\"a\":1}", "null", "{\"b\":2}"], documents.Select(d => Json(d.Node)));
        Assert.True(documents[1].IsError);
        Assert.Equal(2, documents[2].Index);
    }

    [Fact]
    public void ParseDocuments_MultipleDocuments_CarryIndexAndStartLine()
    {
        var documents = YamlJson.ParseDocuments("a: 1\n---\nb: 2\n---\n\n# c\nc: 3\n");

        Assert.Equal([0, 1, 2], documents.Select(d => d.Index));
        Assert.Equal([1, 2, 4], documents.Select(d => d.Line));
        Assert.Equal("{\"c\":3}", Json(documents[2].Node));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# just a comment\n")]
    [InlineData("---\n")]
    [InlineData("---\n# comment\n---\n")]
    [InlineData("\uFEFF\n\n")]
    public void ParseDocuments_EmptyDocuments_AreSkipped(string yaml)
    {
        Assert.Empty(YamlJson.ParseDocuments(yaml));
    }

    [Fact]
    public void ParseDocuments_EmptyDocuments_StillCountInIndex()
    {
        var documents = YamlJson.ParseDocuments("---\n# Source: empty.yaml\n---\na: 1\n");

        var document = Assert.Single(documents);
        Assert.Equal(1, document.Index);
        Assert.Equal(3, document.Line);
    }

    [Fact]
    public void ParseDocuments_LeadingCommentBeforeMarker_IsNotADocument()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("# header\n---\na: 1\n"));

        Assert.Equal(0, document.Index);
        Assert.Equal(2, document.Line);
    }

    [Fact]
    public void ParseDocuments_SyntaxErrors_RecoverAtNextDocument()
    {
        var documents = YamlJson.ParseDocuments(Fixture("multi-with-errors.yaml"));

        Assert.Equal(4, documents.Count);
        Assert.Equal("first", documents[0].Node!["metadata"]!["name"]!.GetValue<string>());
        Assert.True(documents[1].IsError);
        Assert.Equal(1, documents[1].Index);
        Assert.Equal(10, documents[1].Line);
        Assert.True(documents[2].IsError);
        Assert.Equal(3, documents[2].Index);
        Assert.Equal(18, documents[2].Line);
        Assert.Equal(9, documents[2].Column);
        Assert.Contains("line 18, column 9", documents[2].DescribeError(), StringComparison.Ordinal);
        Assert.Equal(4, documents[3].Index);
        Assert.Equal("fifth", documents[3].Node!["metadata"]!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("a: .inf\nb: 2\n...\nc: 1\n", 4)] // a document that cannot become JSON
    [InlineData("a: b: c\n...\nc: 1\n", 3)] // a syntax error
    public void ParseDocuments_ErrorBeforeDocumentEnd_KeepsTheBareDocumentAfter(string yaml, int line)
    {
        var documents = YamlJson.ParseDocuments(yaml);

        Assert.Equal(2, documents.Count);
        Assert.True(documents[0].IsError);
        Assert.Equal("{\"c\":1}", Json(documents[1].Node));
        Assert.Equal(1, documents[1].Index);
        Assert.Equal(line, documents[1].Line);
    }

    [Fact]
    public void ParseDocuments_DirectiveAfterDocumentEnd_BelongsToNextDocument()
    {
        var documents = YamlJson.ParseDocuments("a: 1\n...\n%YAML 1.2\n---\nb: 2\n");

        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], documents.Select(d => Json(d.Node)));
        Assert.All(documents, d => Assert.False(d.IsError));
    }

    [Fact]
    public void ParseDocuments_MarkerInsideBlockScalarIndentation_IsNotSplit()
    {
        var node = Single("script: |\n  echo a\n  ---\n  echo b\n");

        Assert.Equal("echo a\n---\necho b\n", node!["script"]!.GetValue<string>());
    }

    [Fact]
    public void ParseDocuments_CrLfLineEndings_AreHandled()
    {
        var documents = YamlJson.ParseDocuments("a: 1\r\n---\r\nb: [2\r\n---\r\nc: 3\r\n");

        Assert.Equal(3, documents.Count);
        Assert.True(documents[1].IsError);
        Assert.Equal("{\"c\":3}", Json(documents[2].Node));
        Assert.Equal(4, documents[2].Line);
    }

    [Fact]
    public void ParseDocuments_ExplicitNullDocument_YieldsNullNode()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("--- ~\n"));

        Assert.False(document.IsError);
        Assert.Null(document.Node);
    }

    [Fact]
    public void ParseDocuments_Json_ParsesWithCommentsAndTrailingCommas()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("\n  {// comment\n\"a\": [1, 2,], /* c */ \"b\": 1.0,}\n"));

        Assert.Null(document.Error);
        Assert.Equal(2, document.Line);
        Assert.Equal("{\"a\":[1,2],\"b\":1.0}", Json(document.Node));
    }

    [Fact]
    public void ParseDocuments_JsonSyntaxError_ReportsOneBasedLineAndColumn()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("{\n  \"é\": 1,\n  \"b\": x\n}"));

        Assert.True(document.IsError);
        Assert.Equal(3, document.Line);
        Assert.Equal(8, document.Column);
        Assert.DoesNotContain("LineNumber", document.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseDocuments_JsonNonAsciiBeforeError_ColumnCountsCharacters()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("{\"ééé\": x}"));

        Assert.Equal(1, document.Line);
        Assert.Equal(9, document.Column);
    }

    [Fact]
    public void ParseDocuments_JsonDuplicateKey_IsError()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("{\"a\": 1, \"a\": 2}"));

        Assert.True(document.IsError);
    }

    [Fact]
    public void ParseDocuments_JsonTopLevelArray_IsOneDocument()
    {
        var document = Assert.Single(YamlJson.ParseDocuments("[{\"a\": 1}, 2]"));

        Assert.Equal("[{\"a\":1},2]", Json(document.Node));
    }

    [Fact]
    public void ParseSingle_OneDocument_ReturnsNode()
    {
        var node = YamlJson.ParseSingle("---\na: 1\n", "policy.yaml");

        Assert.Equal("{\"a\":1}", Json(node));
    }

    [Fact]
    public void ParseSingle_Empty_ReturnsNull()
    {
        Assert.Null(YamlJson.ParseSingle("# nothing\n", "policy.yaml"));
    }

    [Fact]
    public void ParseSingle_SyntaxError_ThrowsFormatExceptionNamingSourceAndLine()
    {
        var ex = Assert.Throws<FormatException>(() => YamlJson.ParseSingle("a: 1\nb: [\n", "policy.yaml"));

        Assert.StartsWith("policy.yaml: line ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseSingle_TwoDocuments_Throws()
    {
        var ex = Assert.Throws<FormatException>(() => YamlJson.ParseSingle("a: 1\n---\nb: 2\n", "policy.yaml"));

        Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", true)]
    [InlineData("  \n [1]", true)]
    [InlineData("\uFEFF{}", true)]
    [InlineData("# c\n{}", false)]
    [InlineData("a: {}", false)]
    [InlineData("", false)]
    public void LooksLikeJson_FirstNonBlankCharacter_Decides(string text, bool expected)
    {
        Assert.Equal(expected, YamlJson.LooksLikeJson(text));
    }
}
