using System.Text.Encodings.Web;
using System.Text.Json;
using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

public sealed class ResourceQuantityJsonConverterTests
{
    // The converter comes from the [JsonConverter] attribute on ResourceQuantity; relaxed escaping only keeps
    // '+' readable in the expected JSON text.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Theory]
    [InlineData("500m")]
    [InlineData("+1")]
    [InlineData("1E3")]
    [InlineData("0.50")]
    [InlineData("1024Mi")]
    [InlineData("01")]
    [InlineData("5.")]
    public void RoundTrip_StringQuantity_KeepsExactSpelling(string text)
    {
        var json = $$"""{"cpu":"{{text}}"}""";

        var resources = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>(json)!;

        Assert.Equal(ResourceQuantity.Parse(text), resources["cpu"]);
        Assert.Equal(text, resources["cpu"].Original);
        Assert.Equal(json, JsonSerializer.Serialize(resources, Options));
    }

    [Theory]
    [InlineData("2", "2", "2")]
    [InlineData("1e3", "1e3", "1k")]
    [InlineData("1E+3", "1E+3", "1k")]
    [InlineData("1.5", "1.5", "1500m")]
    [InlineData("-1", "-1", "-1")]
    [InlineData("0.25e-1", "0.25e-1", "25m")]
    [InlineData("-0", "-0", "0")]
    public void Read_JsonNumber_ParsesNumberTextAndWritesItAsString(string number, string original, string value)
    {
        var resources = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"memory":{{number}}}""")!;

        Assert.Equal(ResourceQuantity.Parse(value), resources["memory"]);
        Assert.Equal(original, resources["memory"].Original);
        Assert.Equal($$"""{"memory":"{{original}}"}""", JsonSerializer.Serialize(resources, Options));
    }

    [Fact]
    public void Read_StringWithSurroundingWhiteSpace_IgnoresItForTheValueAndKeepsItInOriginal()
    {
        var resources = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>("""{"memory":" 1Gi\t"}""")!;

        Assert.Equal(ResourceQuantity.Parse("1Gi"), resources["memory"]);
        Assert.Equal(" 1Gi\t", resources["memory"].Original);
        Assert.Equal("""{"memory":" 1Gi\t"}""", JsonSerializer.Serialize(resources, Options));
    }

    [Fact]
    public void Read_JsonNull_GivesNull()
    {
        var resources = JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity?>>("""{"memory":null}""")!;

        Assert.Null(resources["memory"]);
    }

    [Theory]
    [InlineData("\"1KB\"", "1KB")]
    [InlineData("\"1 Gi\"", "1 Gi")]
    [InlineData("\"\"", "")]
    [InlineData("\"Pi\"", "Pi")]
    public void Read_InvalidQuantity_ThrowsJsonExceptionWithParseMessageAndPath(string token, string text)
    {
        var exception = Assert.Throws<JsonException>(
            () => JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"memory":{{token}}}"""));

        Assert.Contains($"invalid quantity \"{text}\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains("quantities must match the regular expression", exception.Message, StringComparison.Ordinal);
        Assert.Equal("$.memory", exception.Path);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("{}")]
    [InlineData("[]")]
    public void Read_NeitherStringNorNumber_ThrowsJsonException(string token)
    {
        var exception = Assert.Throws<JsonException>(
            () => JsonSerializer.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"memory":{{token}}}"""));

        Assert.Contains("a quantity must be a JSON string or number", exception.Message, StringComparison.Ordinal);
    }
}
