using System.Text.Json.Nodes;
using PolicyGate.Core.Patch;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Tests.Patch;

public class JsonPatchTests
{
    private static JsonNode? Parse(string json) => JsonNode.Parse(json);

    private static string Diff(string original, string modified) =>
        JsonPatch.CreateDiff(Parse(original), Parse(modified)).ToJsonString();

    private static string Quote(string json) => json.Replace('\'', '"');

    [Fact]
    public void CreateDiff_LabelOnObjectWithoutLabels_AddsWholeMap()
    {
        var patch = Diff(
            """{"metadata":{"name":"web"}}""",
            """{"metadata":{"name":"web","labels":{"app.kubernetes.io/name":"web"}}}""");

        Assert.Equal(Quote("[{'op':'add','path':'/metadata/labels','value':{'app.kubernetes.io/name':'web'}}]"), patch);
    }

    [Fact]
    public void CreateDiff_LabelOnExistingMap_AddsEscapedKey()
    {
        var patch = Diff(
            """{"metadata":{"labels":{"team":"a"}}}""",
            """{"metadata":{"labels":{"team":"a","app.kubernetes.io/name":"web"}}}""");

        Assert.Equal(Quote("[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]"), patch);
    }

    [Fact]
    public void CreateDiff_KeyWithTilde_IsEscaped()
    {
        var patch = Diff("""{}""", """{"a~b/c":1}""");

        Assert.Equal(Quote("[{'op':'add','path':'/a~0b~1c','value':1}]"), patch);
    }

    [Fact]
    public void CreateDiff_NestedSecurityContextField_ReplacesOrAddsOnlyThatField()
    {
        var patch = Diff(
            """{"spec":{"containers":[{"name":"app","securityContext":{"runAsNonRoot":false}}]}}""",
            """{"spec":{"containers":[{"name":"app","securityContext":{"runAsNonRoot":true,"allowPrivilegeEscalation":false}}]}}""");

        Assert.Equal(
            Quote("[{'op':'replace','path':'/spec/containers/0/securityContext/runAsNonRoot','value':true},"
                + "{'op':'add','path':'/spec/containers/0/securityContext/allowPrivilegeEscalation','value':false}]"),
            patch);
    }

    [Fact]
    public void CreateDiff_CapabilityAppendedToDropList_AddsAtExplicitIndex()
    {
        var patch = Diff(
            """{"capabilities":{"drop":["NET_RAW"]}}""",
            """{"capabilities":{"drop":["NET_RAW","ALL","SYS_ADMIN"]}}""");

        Assert.Equal(
            Quote("[{'op':'add','path':'/capabilities/drop/1','value':'ALL'},{'op':'add','path':'/capabilities/drop/2','value':'SYS_ADMIN'}]"),
            patch);
    }

    [Fact]
    public void CreateDiff_ReorderedList_ReplacesWholeList()
    {
        var patch = Diff("""{"args":["--a","--b","--c"]}""", """{"args":["--c","--a","--b"]}""");

        Assert.Equal(Quote("[{'op':'replace','path':'/args','value':['--c','--a','--b']}]"), patch);
    }

    [Fact]
    public void CreateDiff_ElementRemovedFromList_ReplacesWholeList()
    {
        var patch = Diff("""{"args":["--a","--b","--c"]}""", """{"args":["--a","--c"]}""");

        Assert.Equal(Quote("[{'op':'replace','path':'/args','value':['--a','--c']}]"), patch);
    }

    [Fact]
    public void CreateDiff_ElementInsertedInList_ReplacesWholeList()
    {
        var patch = Diff("""[1,2]""", """[0,1,2]""");

        Assert.Equal(Quote("[{'op':'replace','path':'','value':[0,1,2]}]"), patch);
    }

    [Fact]
    public void CreateDiff_SameLengthListWithChangedElement_RecursesByIndex()
    {
        var patch = Diff("""{"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}""", """{"env":[{"name":"A","value":"1"},{"name":"B","value":"3"}]}""");

        Assert.Equal(Quote("[{'op':'replace','path':'/env/1/value','value':'3'}]"), patch);
    }

    [Fact]
    public void CreateDiff_RemovedField_Removes()
    {
        var patch = Diff("""{"spec":{"hostNetwork":true,"dnsPolicy":"Default"}}""", """{"spec":{"dnsPolicy":"Default"}}""");

        Assert.Equal(Quote("[{'op':'remove','path':'/spec/hostNetwork'}]"), patch);
    }

    [Fact]
    public void CreateDiff_NullVersusAbsent_GivesNoOperation()
    {
        Assert.Equal("[]", Diff("""{"a":null,"b":{"c":null}}""", """{"b":{}}"""));
        Assert.Equal("[]", Diff("""{"b":{}}""", """{"a":null,"b":{"c":null}}"""));
    }

    [Fact]
    public void CreateDiff_ValueSetToNull_Removes()
    {
        Assert.Equal(Quote("[{'op':'remove','path':'/a'}]"), Diff("""{"a":1}""", """{"a":null}"""));
    }

    [Fact]
    public void CreateDiff_NullPropertyGetsValue_Adds()
    {
        Assert.Equal(Quote("[{'op':'add','path':'/a','value':{'b':1}}]"), Diff("""{"a":null}""", """{"a":{"b":1,"c":null}}"""));
    }

    [Theory]
    [InlineData("""{"n":1}""", """{"n":1.0}""")]
    [InlineData("""{"n":100}""", """{"n":1e2}""")]
    [InlineData("""{"n":[0.5]}""", """{"n":[5E-1]}""")]
    public void CreateDiff_NumbersEqualByValue_GivesNoOperation(string original, string modified)
    {
        Assert.Equal("[]", Diff(original, modified));
    }

    [Fact]
    public void CreateDiff_NumberFromDifferentSources_ComparesByValue()
    {
        var original = new JsonObject { ["n"] = 1L, ["d"] = 2.5 };

        var patch = JsonPatch.CreateDiff(original, Parse("""{"n":1.0,"d":2.50}"""));

        Assert.Empty(patch);
    }

    [Fact]
    public void CreateDiff_OperationOrder_IsModifiedOrderThenRemovalsInOriginalOrder()
    {
        var patch = Diff("""{"x":1,"a":1,"y":1,"b":1}""", """{"c":3,"b":2,"a":1,"d":4}""");

        Assert.Equal(
            Quote("[{'op':'add','path':'/c','value':3},{'op':'replace','path':'/b','value':2},{'op':'add','path':'/d','value':4},"
                + "{'op':'remove','path':'/x'},{'op':'remove','path':'/y'}]"),
            patch);
    }

    [Fact]
    public void CreateDiff_AddedValueWithNullProperties_LeavesThemOut()
    {
        Assert.Equal(Quote("[{'op':'add','path':'/a','value':{'b':[null,{}]}}]"), Diff("""{}""", """{"a":{"b":[null,{"c":null}],"d":null}}"""));
    }

    [Fact]
    public void CreateDiff_NullOriginalAndObject_AddsEachTopLevelProperty()
    {
        var patch = JsonPatch.CreateDiff(null, Parse("""{"apiVersion":"v1","kind":"Pod","status":null}"""));

        Assert.Equal(Quote("[{'op':'add','path':'/apiVersion','value':'v1'},{'op':'add','path':'/kind','value':'Pod'}]"), patch.ToJsonString());
    }

    [Fact]
    public void CreateDiff_ObjectToNull_ReplacesRootWithNull()
    {
        Assert.Equal(Quote("[{'op':'replace','path':'','value':null}]"), JsonPatch.CreateDiff(Parse("""{"a":1}"""), null).ToJsonString());
    }

    [Theory]
    [InlineData("""{"a":1}""", """[1]""")]
    [InlineData("""1""", """2""")]
    [InlineData("""{"a":"1"}""", """{"a":1}""")]
    public void CreateDiff_DifferentTypes_Replaces(string original, string modified)
    {
        var patch = JsonPatch.CreateDiff(Parse(original), Parse(modified));

        Assert.Equal("replace", Assert.Single(patch)!["op"]!.GetValue<string>());
    }

    [Fact]
    public void CreateDiff_Inputs_AreNotChanged()
    {
        var original = Parse("""{"a":{"b":[1,2]},"c":null}""");
        var modified = Parse("""{"a":{"b":[1,2,3]},"d":{"e":null}}""");

        JsonPatch.CreateDiff(original, modified);

        Assert.Equal("""{"a":{"b":[1,2]},"c":null}""", original!.ToJsonString());
        Assert.Equal("""{"a":{"b":[1,2,3]},"d":{"e":null}}""", modified!.ToJsonString());
    }

    [Fact]
    public void Apply_AllOperations_FollowRfc6902()
    {
        var document = Parse("""{"a":{"b":1},"list":[1,2,3],"x~y":{"p/q":true}}""");
        var patch = (JsonArray)Parse("""
            [
              {"op":"test","path":"/a/b","value":1.0},
              {"op":"add","path":"/list/1","value":9},
              {"op":"add","path":"/list/-","value":4},
              {"op":"remove","path":"/list/0"},
              {"op":"replace","path":"/a/b","value":{"c":2}},
              {"op":"move","from":"/x~0y/p~1q","path":"/moved"},
              {"op":"copy","from":"/a","path":"/copied"},
              {"op":"add","path":"/a/b/c","value":3}
            ]
            """)!;

        var result = JsonPatch.Apply(document, patch);

        Assert.Equal("""{"a":{"b":{"c":3}},"list":[9,2,3,4],"x~y":{},"moved":true,"copied":{"b":{"c":2}}}""", result!.ToJsonString());
    }

    [Fact]
    public void Apply_Inputs_AreNotChanged()
    {
        var document = Parse("""{"a":[1]}""");
        var patch = (JsonArray)Parse("""[{"op":"add","path":"/a/-","value":{"b":2}},{"op":"add","path":"/c","value":{"d":1}}]""")!;

        var result = JsonPatch.Apply(document, patch);
        result!["c"]!["d"] = 5;

        Assert.Equal("""{"a":[1]}""", document!.ToJsonString());
        Assert.Equal("""[{"op":"add","path":"/a/-","value":{"b":2}},{"op":"add","path":"/c","value":{"d":1}}]""", patch.ToJsonString());
    }

    [Fact]
    public void Apply_ReplaceRoot_ReturnsValue()
    {
        var result = JsonPatch.Apply(Parse("""{"a":1}"""), (JsonArray)Parse("""[{"op":"replace","path":"","value":[1]}]""")!);

        Assert.Equal("[1]", result!.ToJsonString());
    }

    [Fact]
    public void Apply_AddBelowNullRoot_StartsFromEmptyObject()
    {
        var result = JsonPatch.Apply(null, (JsonArray)Parse("""[{"op":"add","path":"/kind","value":"Pod"}]""")!);

        Assert.Equal("""{"kind":"Pod"}""", result!.ToJsonString());
    }

    [Fact]
    public void Apply_MoveToSamePath_IsNoOp()
    {
        var result = JsonPatch.Apply(Parse("""{"a":1}"""), (JsonArray)Parse("""[{"op":"move","from":"/a","path":"/a"}]""")!);

        Assert.Equal("""{"a":1}""", result!.ToJsonString());
    }

    [Theory]
    [InlineData("""[{"op":"remove","path":"/missing"}]""", 0, "/missing")]
    [InlineData("""[{"op":"test","path":"/a","value":1},{"op":"replace","path":"/b/c","value":1}]""", 1, "/b/c")]
    [InlineData("""[{"op":"add","path":"/list/5","value":1}]""", 0, "/list/5")]
    [InlineData("""[{"op":"add","path":"/list/01","value":1}]""", 0, "/list/01")]
    [InlineData("""[{"op":"remove","path":"/list/-"}]""", 0, "/list/-")]
    [InlineData("""[{"op":"test","path":"/a","value":2}]""", 0, "/a")]
    [InlineData("""[{"op":"test","path":"/n","value":{}}]""", 0, "/n")]
    [InlineData("""[{"op":"frobnicate","path":"/a"}]""", 0, "/a")]
    [InlineData("""[{"op":"add","path":"/x"}]""", 0, "/x")]
    [InlineData("""[{"op":"add","path":"a","value":1}]""", 0, "a")]
    [InlineData("""[{"op":"add","path":"/a~2","value":1}]""", 0, "/a~2")]
    [InlineData("""[{"op":"move","from":"/o","path":"/o/inner"}]""", 0, "/o/inner")]
    [InlineData("""[{"op":"copy","from":"/nope","path":"/b"}]""", 0, "/b")]
    [InlineData("""[{"op":"remove","path":""}]""", 0, "")]
    [InlineData("""[{"op":"add","path":"/a/b","value":1}]""", 0, "/a/b")]
    public void Apply_InvalidOperation_ThrowsNamingIndexAndPath(string patch, int index, string path)
    {
        var document = Parse("""{"a":1,"list":[1,2],"n":null,"o":{}}""");

        var ex = Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(document, (JsonArray)Parse(patch)!));

        Assert.Equal(index, ex.OperationIndex);
        Assert.Equal(path, ex.Path);
        Assert.StartsWith($"JSON patch operation {index} (", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{path}\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_OperationNotAnObject_Throws()
    {
        var ex = Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(Parse("{}"), (JsonArray)Parse("[1]")!));

        Assert.Equal(0, ex.OperationIndex);
    }

    [Fact]
    public void Apply_TestOfNullMember_Succeeds()
    {
        var result = JsonPatch.Apply(Parse("""{"n":null}"""), (JsonArray)Parse("""[{"op":"test","path":"/n","value":null}]""")!);

        Assert.Equal("""{"n":null}""", result!.ToJsonString());
    }

    [Fact]
    public void ApplyCreateDiff_KubernetesExample_RoundTrips()
    {
        var original = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"team":"a"}},
             "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx","securityContext":{"capabilities":{"drop":["NET_RAW"]}}}]}}}}
            """);
        var modified = Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"team":"a","app.kubernetes.io/name":"web"}},
             "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27","securityContext":{"runAsNonRoot":true,"capabilities":{"drop":["NET_RAW","ALL"]}}}]}}}}
            """);

        var patch = JsonPatch.CreateDiff(original, modified);
        var result = JsonPatch.Apply(original, patch);

        Assert.True(JsonNodeEquality.DeepEquals(modified, result));
        Assert.Equal(
            Quote("[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'},"
                + "{'op':'replace','path':'/spec/template/spec/containers/0/image','value':'nginx:1.27'},"
                + "{'op':'add','path':'/spec/template/spec/containers/0/securityContext/runAsNonRoot','value':true},"
                + "{'op':'add','path':'/spec/template/spec/containers/0/securityContext/capabilities/drop/1','value':'ALL'}]"),
            patch.ToJsonString());
    }

    [Fact]
    public void ApplyCreateDiff_RandomDocuments_RoundTripModuloNullProperties()
    {
        var random = new Random(20240611);
        var operationsSeen = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 2000; round++)
        {
            var original = RandomJson.Object(random, 0);
            var modified = round % 4 == 0 ? RandomJson.Object(random, 0) : RandomJson.Mutate(random, original, 0);
            var originalText = original.ToJsonString();

            var patch = JsonPatch.CreateDiff(original, modified);
            var reparsed = (JsonArray)JsonNode.Parse(patch.ToJsonString())!;
            var result = JsonPatch.Apply(original, reparsed);

            Assert.True(
                JsonNodeEquality.DeepEquals(result, modified, ignoreNullProperties: true),
                $"round {round}\noriginal: {originalText}\nmodified: {modified?.ToJsonString()}\npatch: {patch.ToJsonString()}\nresult: {result?.ToJsonString()}");
            Assert.Equal(originalText, original.ToJsonString());
            Assert.Equal(patch.ToJsonString(), JsonPatch.CreateDiff(original, modified).ToJsonString());
            if (JsonNodeEquality.DeepEquals(original, modified, ignoreNullProperties: true))
            {
                Assert.Empty(patch);
            }

            operationsSeen.UnionWith(patch.Select(op => op!["op"]!.GetValue<string>()));
        }

        Assert.Equal(["add", "remove", "replace"], operationsSeen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ApplyCreateDiff_RandomRoots_RoundTrip()
    {
        var random = new Random(7);
        for (var round = 0; round < 500; round++)
        {
            var original = random.Next(5) == 0 ? null : RandomJson.Value(random, 1);
            var modified = random.Next(5) == 0 ? null : RandomJson.Value(random, 1);

            var result = JsonPatch.Apply(original, JsonPatch.CreateDiff(original, modified));

            var expectEmptyObject = original is null && modified is JsonObject;
            Assert.True(
                JsonNodeEquality.DeepEquals(result, modified, ignoreNullProperties: true)
                    || (expectEmptyObject && result is null && JsonNodeEquality.DeepEquals(new JsonObject(), modified, ignoreNullProperties: true)),
                $"round {round}: {original?.ToJsonString()} -> {modified?.ToJsonString()} gave {result?.ToJsonString()}");
        }
    }
}
