using PolicyGate.Core.Patch;

namespace PolicyGate.Core.Tests.Patch;

public class JsonPointerTests
{
    [Theory]
    [InlineData("app.kubernetes.io/name", "app.kubernetes.io~1name")]
    [InlineData("a~b", "a~0b")]
    [InlineData("~/", "~0~1")]
    [InlineData("plain", "plain")]
    public void Escape_SpecialCharacters_AreEscaped(string token, string expected)
    {
        Assert.Equal(expected, JsonPointer.Escape(token));
    }

    [Theory]
    [InlineData("", new string[0])]
    [InlineData("/", new[] { "" })]
    [InlineData("/a/0", new[] { "a", "0" })]
    [InlineData("/a~1b/c~0d", new[] { "a/b", "c~d" })]
    [InlineData("/~01", new[] { "~1" })]
    public void TryParse_ValidPointer_ReturnsUnescapedTokens(string pointer, string[] expected)
    {
        Assert.Equal(expected, JsonPointer.TryParse(pointer, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("/a~")]
    [InlineData("/a~2")]
    public void TryParse_InvalidPointer_ReturnsNullWithError(string pointer)
    {
        Assert.Null(JsonPointer.TryParse(pointer, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("12", 12)]
    [InlineData("01", -1)]
    [InlineData("-", -1)]
    [InlineData("-1", -1)]
    [InlineData("1a", -1)]
    [InlineData("", -1)]
    [InlineData("99999999999", -1)]
    public void TryParseIndex_Token_AcceptsOnlyCanonicalIndexes(string token, int expected)
    {
        var ok = JsonPointer.TryParseIndex(token, out var index);

        Assert.Equal(expected >= 0, ok);
        if (ok)
        {
            Assert.Equal(expected, index);
        }
    }
}
