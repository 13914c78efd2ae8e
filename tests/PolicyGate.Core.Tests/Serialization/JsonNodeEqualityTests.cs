using System.Text.Json.Nodes;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Tests.Serialization;

public class JsonNodeEqualityTests
{
    [Theory]
    [InlineData("1", "1.0", true)]
    [InlineData("1", "1e0", true)]
    [InlineData("0.1", "1E-1", true)]
    [InlineData("1", "2", false)]
    [InlineData("1e400", "1e400", true)]
    [InlineData("\"1\"", "1", false)]
    [InlineData("\"a\"", "\"a\"", true)]
    [InlineData("\"a\"", "\"A\"", false)]
    [InlineData("true", "true", true)]
    [InlineData("true", "false", false)]
    [InlineData("null", "null", true)]
    [InlineData("[1,2]", "[1,2]", true)]
    [InlineData("[1,2]", "[2,1]", false)]
    [InlineData("[null]", "[]", false)]
    [InlineData("{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", true)]
    [InlineData("{\"a\":null}", "{}", false)]
    public void DeepEquals_Strict_ComparesJsonValues(string a, string b, bool expected)
    {
        Assert.Equal(expected, JsonNodeEquality.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b)));
        Assert.Equal(expected, JsonNodeEquality.DeepEquals(JsonNode.Parse(b), JsonNode.Parse(a)));
    }

    [Theory]
    [InlineData("{\"a\":null}", "{}", true)]
    [InlineData("{\"a\":{\"b\":null}}", "{\"a\":{}}", true)]
    [InlineData("{\"a\":null}", "{\"a\":1}", false)]
    [InlineData("[{\"a\":null}]", "[{}]", true)]
    [InlineData("[null]", "[]", false)]
    public void DeepEquals_IgnoringNullProperties_TreatsNullAsAbsent(string a, string b, bool expected)
    {
        Assert.Equal(expected, JsonNodeEquality.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b), ignoreNullProperties: true));
        Assert.Equal(expected, JsonNodeEquality.DeepEquals(JsonNode.Parse(b), JsonNode.Parse(a), ignoreNullProperties: true));
    }

    [Fact]
    public void DeepEquals_PrimitiveBackedAndParsedValues_CompareByValue()
    {
        Assert.True(JsonNodeEquality.DeepEquals(JsonValue.Create(2L), JsonNode.Parse("2.0")));
        Assert.True(JsonNodeEquality.DeepEquals(JsonValue.Create(0.25), JsonNode.Parse("0.250")));
        Assert.True(JsonNodeEquality.DeepEquals(JsonValue.Create("x"), JsonNode.Parse("\"x\"")));
    }
}
