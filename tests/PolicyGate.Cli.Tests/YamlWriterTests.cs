using System.Text.Json.Nodes;
using PolicyGate.Cli.WebhookConfig;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Cli.Tests;

public class YamlWriterTests
{
    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("yes")]
    [InlineData("off")]
    [InlineData("y")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("1")]
    [InlineData("0x1F")]
    [InlineData("1e3")]
    [InlineData(".inf")]
    [InlineData("-a")]
    [InlineData("a: b")]
    [InlineData("a #b")]
    [InlineData("#a")]
    [InlineData("'quoted'")]
    [InlineData("\"dq\"")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    [InlineData(" padded ")]
    [InlineData("ünïcödé")]
    [InlineData("{a}")]
    [InlineData("[a]")]
    [InlineData("&anchor")]
    [InlineData("!tag")]
    [InlineData("%directive")]
    [InlineData("@at")]
    [InlineData("`tick")]
    [InlineData("|")]
    [InlineData(">")]
    [InlineData("/validate/shop/sizes")]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("LS0tLS1CRUdJTi+/=")]
    public void Write_AnyString_ReadsBackAsTheSameString(string text)
    {
        var yaml = YamlWriter.Write([new JsonObject { [text] = text, ["list"] = new JsonArray(text) }]);

        var back = Assert.Single(YamlJson.ParseDocuments(yaml));
        Assert.Null(back.Error);
        Assert.True(JsonNode.DeepEquals(new JsonObject { [text] = text, ["list"] = new JsonArray(text) }, back.Node), yaml);
    }

    [Fact]
    public void Write_NumbersAndBooleans_StayNumbersAndBooleans()
    {
        var yaml = YamlWriter.Write([new JsonObject { ["port"] = 8443, ["on"] = true, ["off"] = false }]);

        Assert.Equal("port: 8443\n\"on\": true\n\"off\": false\n", yaml);
    }

    [Theory]
    [InlineData("policygate", true)]
    [InlineData("/mutate/drop-all", true)]
    [InlineData("kubernetes.io/metadata.name", true)]
    [InlineData("CREATE", true)]
    [InlineData("", false)]
    [InlineData("*", false)]
    [InlineData("Yes", false)]
    [InlineData("8443", false)]
    public void IsSafePlain_Strings_PlainOnlyWhenUnambiguous(string text, bool expected) => Assert.Equal(expected, YamlWriter.IsSafePlain(text));

    [Fact]
    public void Write_TwoDocuments_SeparatedByAMarker()
    {
        var yaml = YamlWriter.Write([new JsonObject { ["a"] = 1 }, new JsonObject { ["b"] = new JsonArray("p", "q") }]);

        Assert.Equal("a: 1\n---\nb:\n- p\n- q\n", yaml);
    }
}
