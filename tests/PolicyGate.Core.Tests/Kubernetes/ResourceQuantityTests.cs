using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.Tests.Kubernetes;

/// <summary>
/// Expected values follow Kubernetes' <c>resource.ParseQuantity</c>; exact values use the notation of Kubernetes'
/// v1.37 quantity decode corpus (digits without trailing zeros, <c>e</c>, power of ten).
/// </summary>
public sealed class ResourceQuantityTests
{
    private const string GrammarMessage =
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    [Theory]
    // Plain numbers and decimal SI suffixes.
    [InlineData("0", "0", QuantityFormat.DecimalSI)]
    [InlineData("123", "123e0", QuantityFormat.DecimalSI)]
    [InlineData("100", "1e2", QuantityFormat.DecimalSI)]
    [InlineData("1.5", "15e-1", QuantityFormat.DecimalSI)]
    [InlineData("500m", "5e-1", QuantityFormat.DecimalSI)]
    [InlineData("600M", "6e8", QuantityFormat.DecimalSI)]
    [InlineData("5n", "5e-9", QuantityFormat.DecimalSI)]
    [InlineData("4u", "4e-6", QuantityFormat.DecimalSI)]
    [InlineData("50k", "5e4", QuantityFormat.DecimalSI)]
    [InlineData("6G", "6e9", QuantityFormat.DecimalSI)]
    [InlineData("40T", "4e13", QuantityFormat.DecimalSI)]
    [InlineData("2.5P", "25e14", QuantityFormat.DecimalSI)]
    [InlineData("12E", "12e18", QuantityFormat.DecimalSI)]
    [InlineData("100.035k", "100035e0", QuantityFormat.DecimalSI)]
    [InlineData("7.123456M", "7123456e0", QuantityFormat.DecimalSI)]
    // Optional sign, and a dot with nothing on one side.
    [InlineData("+1", "1e0", QuantityFormat.DecimalSI)]
    [InlineData("-1", "-1e0", QuantityFormat.DecimalSI)]
    [InlineData("-500m", "-5e-1", QuantityFormat.DecimalSI)]
    [InlineData(".5", "5e-1", QuantityFormat.DecimalSI)]
    [InlineData("5.", "5e0", QuantityFormat.DecimalSI)]
    [InlineData("1.G", "1e9", QuantityFormat.DecimalSI)]
    [InlineData("01", "1e0", QuantityFormat.DecimalSI)]
    [InlineData("-0", "0", QuantityFormat.DecimalSI)]
    [InlineData("0.0", "0", QuantityFormat.DecimalSI)]
    // Binary SI suffixes multiply by powers of 1024 exactly.
    [InlineData("1Ki", "1024e0", QuantityFormat.BinarySI)]
    [InlineData("5Ki", "512e1", QuantityFormat.BinarySI)]
    [InlineData("7Mi", "7340032e0", QuantityFormat.BinarySI)]
    [InlineData("1Gi", "1073741824e0", QuantityFormat.BinarySI)]
    [InlineData("0.5Gi", "536870912e0", QuantityFormat.BinarySI)]
    [InlineData("-1.5Gi", "-1610612736e0", QuantityFormat.BinarySI)]
    [InlineData("1Ei", "1152921504606846976e0", QuantityFormat.BinarySI)]
    [InlineData("100.035Ki", "10243584e-2", QuantityFormat.BinarySI)]
    [InlineData("0.001Ki", "1024e-3", QuantityFormat.BinarySI)]
    [InlineData("0Ki", "0", QuantityFormat.BinarySI)]
    // A binary value below one is recorded as decimal.
    [InlineData("0.0001Ki", "1024e-4", QuantityFormat.DecimalSI)]
    // Binary values are capped at 2^63-1; decimal values are not.
    [InlineData("8Ei", "9223372036854775807e0", QuantityFormat.BinarySI)]
    [InlineData("9Ei", "9223372036854775807e0", QuantityFormat.BinarySI)]
    [InlineData("-8Ei", "-9223372036854775807e0", QuantityFormat.BinarySI)]
    [InlineData("9223372036854775807Ki", "9223372036854775807e0", QuantityFormat.BinarySI)]
    [InlineData("10E", "1e19", QuantityFormat.DecimalSI)]
    [InlineData("9223372036854775808", "9223372036854775808e0", QuantityFormat.DecimalSI)]
    [InlineData("18446744073709551616", "18446744073709551616e0", QuantityFormat.DecimalSI)]
    [InlineData("123456789012345678901m", "123456789012345678901e-3", QuantityFormat.DecimalSI)]
    // Decimal exponents.
    [InlineData("1e3", "1e3", QuantityFormat.DecimalExponent)]
    [InlineData("1E3", "1e3", QuantityFormat.DecimalExponent)]
    [InlineData("1e-3", "1e-3", QuantityFormat.DecimalExponent)]
    [InlineData("1E-3", "1e-3", QuantityFormat.DecimalExponent)]
    [InlineData("1.3E+6", "13e5", QuantityFormat.DecimalExponent)]
    [InlineData("1e03", "1e3", QuantityFormat.DecimalExponent)]
    [InlineData("0.5e-2", "5e-3", QuantityFormat.DecimalExponent)]
    [InlineData("1e1000", "1e1000", QuantityFormat.DecimalExponent)]
    // Anything finer than 1n rounds away from zero to the next nano-unit.
    [InlineData("0.1n", "1e-9", QuantityFormat.DecimalSI)]
    [InlineData("0.9n", "1e-9", QuantityFormat.DecimalSI)]
    [InlineData("-0.1n", "-1e-9", QuantityFormat.DecimalSI)]
    [InlineData("3.001n", "4e-9", QuantityFormat.DecimalSI)]
    [InlineData("1.5n", "2e-9", QuantityFormat.DecimalSI)]
    [InlineData("0.00000012345", "124e-9", QuantityFormat.DecimalSI)]
    [InlineData("0.0000000001", "1e-9", QuantityFormat.DecimalSI)]
    [InlineData("1e-10", "1e-9", QuantityFormat.DecimalExponent)]
    [InlineData("123e-11", "2e-9", QuantityFormat.DecimalExponent)]
    [InlineData("1e-1000", "1e-9", QuantityFormat.DecimalExponent)]
    [InlineData("9223372036854775e-19", "922338e-9", QuantityFormat.DecimalExponent)]
    [InlineData("0.000000000001Ki", "2e-9", QuantityFormat.DecimalSI)]
    // The exponent is read as 64 bits and truncated to 32, wrapping, as Kubernetes does.
    [InlineData("1e4294967297", "1e1", QuantityFormat.DecimalExponent)]
    [InlineData("1e4294967295", "1e-1", QuantityFormat.DecimalExponent)]
    [InlineData("1e-2147483649", "1e2147483647", QuantityFormat.DecimalExponent)]
    [InlineData("1e9223372036854775807", "1e-1", QuantityFormat.DecimalExponent)]
    [InlineData("0.1e-2147483648", "1e2147483647", QuantityFormat.DecimalExponent)]
    // Kubernetes accepts a number without digits as zero when its fast path handles it.
    [InlineData(".", "0", QuantityFormat.DecimalSI)]
    [InlineData("-", "0", QuantityFormat.DecimalSI)]
    [InlineData("+", "0", QuantityFormat.DecimalSI)]
    [InlineData("k", "0", QuantityFormat.DecimalSI)]
    [InlineData("Gi", "0", QuantityFormat.BinarySI)]
    [InlineData("Ti", "0", QuantityFormat.BinarySI)]
    [InlineData("e-9", "0", QuantityFormat.DecimalExponent)]
    [InlineData("0Pi", "0", QuantityFormat.BinarySI)]
    public void Parse_ValidInput_HasKubernetesValueAndFormat(string input, string exact, QuantityFormat format)
    {
        var quantity = ResourceQuantity.Parse(input);

        Assert.Equal(exact, quantity.ToExactString());
        Assert.Equal(format, quantity.Format);
        Assert.Equal(input, quantity.Original);
    }

    [Theory]
    [InlineData("0.5Gi", "512Mi")]
    [InlineData("1e3", "1k")]
    [InlineData("1.5", "1500m")]
    [InlineData("1Ki", "1024")]
    [InlineData("1Gi", "1073741824")]
    [InlineData("500m", "0.5")]
    [InlineData("1e-3", "1m")]
    [InlineData("0.1n", "1n")]
    [InlineData("100m", ".1")]
    [InlineData("1M", "1000k")]
    [InlineData("1Ei", "1024Pi")]
    [InlineData("1000M", "1G")]
    [InlineData("0.5e0", "500m")]
    [InlineData("8Ei", "9Ei")]
    [InlineData("8Ei", "9223372036854775807")]
    [InlineData("-0", "0")]
    [InlineData("0Gi", "0m")]
    [InlineData("Gi", "0")]
    [InlineData("1e4294967297", "10")]
    [InlineData("+1", "1")]
    [InlineData("-1.5", "-1500m")]
    public void Equals_SameValueDifferentSpelling_AreEqualWithSameHashCode(string left, string right)
    {
        var a = ResourceQuantity.Parse(left);
        var b = ResourceQuantity.Parse(right);

        Assert.True(a.Equals(b));
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(0, a.CompareTo(b));
        Assert.True(a <= b && a >= b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("500m", "1")]
    [InlineData("999m", "1")]
    [InlineData("600M", "1Gi")]
    [InlineData("1G", "1Gi")]
    [InlineData("1Gi", "1.1G")]
    [InlineData("100Gi", "10000T")]
    [InlineData("0", "1n")]
    [InlineData("1n", "2n")]
    [InlineData("1", "1000000001n")]
    [InlineData("-1n", "0")]
    [InlineData("-2", "-1")]
    [InlineData("-1Gi", "-1G")]
    [InlineData("-1e1001", "-1e1000")]
    [InlineData("9223372036854775807", "9223372036854775808")]
    [InlineData("8Ei", "10E")]
    [InlineData("10E", "1e20")]
    [InlineData("1e1000", "1e1001")]
    [InlineData("1e2147483646", "1e2147483647")]
    [InlineData("1e-2147483647", "2n")]
    public void CompareTo_SmallerFirst_OrdersByValue(string smaller, string larger)
    {
        var a = ResourceQuantity.Parse(smaller);
        var b = ResourceQuantity.Parse(larger);

        Assert.True(a.CompareTo(b) < 0);
        Assert.True(b.CompareTo(a) > 0);
        Assert.True(a < b);
        Assert.True(a <= b);
        Assert.True(b > a);
        Assert.True(b >= a);
        Assert.False(a == b);
        Assert.True(a != b);
        Assert.False(a.Equals(b));
    }

    [Fact]
    public void CompareTo_Null_SortsNullFirst()
    {
        var one = ResourceQuantity.Parse("1");
        ResourceQuantity? none = null;

        Assert.True(one.CompareTo(null) > 0);
        Assert.True(none < one);
        Assert.True(one > none);
        Assert.False(one == none);
        Assert.False(one.Equals(null));
        Assert.Equal(0, ResourceQuantity.Compare(null, null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.2.3")]
    [InlineData("1.1.M")]
    [InlineData("1..5")]
    [InlineData("1KB")]
    [InlineData("1KiB")]
    [InlineData("1KI")]
    [InlineData("1 Gi")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("--1")]
    [InlineData("++1")]
    [InlineData("1-")]
    [InlineData("1+1.0M")]
    [InlineData("aoeu")]
    [InlineData("1Zi")]
    [InlineData("1,5")]
    [InlineData("1_000")]
    [InlineData("0x10")]
    [InlineData("1e1.5")]
    [InlineData("1e3k")]
    [InlineData("1E3Ki")]
    [InlineData("1e+-3")]
    [InlineData("-3.01e-")]
    [InlineData("Inf")]
    [InlineData("NaN")]
    [InlineData("\uFF11")]
    [InlineData("\u22121")]
    public void Parse_MalformedInput_ThrowsFormatExceptionNamingInput(string input)
    {
        var exception = Assert.Throws<FormatException>(() => ResourceQuantity.Parse(input));

        Assert.Contains($"\"{input}\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains(GrammarMessage, exception.Message, StringComparison.Ordinal);
        Assert.False(ResourceQuantity.TryParse(input, out var result));
        Assert.Null(result);
    }

    [Theory]
    [InlineData("1ki", "ki")]
    [InlineData("1K", "K")]
    [InlineData("1i", "i")]
    [InlineData(".5i", "i")]
    [InlineData("0.1mi", "mi")]
    [InlineData("1e", "e")]
    [InlineData("1e+", "e+")]
    [InlineData("1mM", "mM")]
    [InlineData("1e9223372036854775808", "e9223372036854775808")]
    public void Parse_UnknownSuffix_ThrowsFormatExceptionNamingSuffix(string input, string suffix)
    {
        var exception = Assert.Throws<FormatException>(() => ResourceQuantity.Parse(input));

        Assert.Contains($"\"{input}\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"unable to parse quantity's suffix \"{suffix}\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains(GrammarMessage, exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Pi")]
    [InlineData("Ei")]
    [InlineData(".Pi")]
    [InlineData("e-10")]
    [InlineData("-e-10")]
    [InlineData("e2147483648")]
    public void Parse_NoDigitOutsideFastPath_ThrowsFormatException(string input)
    {
        var exception = Assert.Throws<FormatException>(() => ResourceQuantity.Parse(input));

        Assert.Contains($"\"{input}\"", exception.Message, StringComparison.Ordinal);
        Assert.Contains("unable to parse numeric part of quantity", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => ResourceQuantity.Parse(null!));
        Assert.False(ResourceQuantity.TryParse(null, out _));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1L)]
    [InlineData("1.5", 2L)]
    [InlineData("500m", 1L)]
    [InlineData("1n", 1L)]
    [InlineData("1e-3", 1L)]
    [InlineData("2.000000001", 3L)]
    [InlineData("-1.5", -2L)]
    [InlineData("-500m", -1L)]
    [InlineData("1Gi", 1073741824L)]
    [InlineData("1k", 1000L)]
    [InlineData("8Ei", long.MaxValue)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("9223372036854775808", long.MaxValue)]
    [InlineData("10E", long.MaxValue)]
    [InlineData("-10E", long.MinValue)]
    [InlineData("1e1000", long.MaxValue)]
    [InlineData("1e-2147483647", 1L)]
    public void Value_Quantity_RoundsAwayFromZeroAndSaturates(string input, long expected)
    {
        Assert.Equal(expected, ResourceQuantity.Parse(input).Value());
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1", 1000L)]
    [InlineData("500m", 500L)]
    [InlineData("1.5", 1500L)]
    [InlineData("0.1m", 1L)]
    [InlineData("1n", 1L)]
    [InlineData("-1n", -1L)]
    [InlineData("1001u", 2L)]
    [InlineData("250m", 250L)]
    [InlineData("1Ki", 1024000L)]
    [InlineData("9223372036854775807m", long.MaxValue)]
    [InlineData("9223372036854775808m", long.MaxValue)]
    [InlineData("8Ei", long.MaxValue)]
    [InlineData("-8Ei", long.MinValue)]
    public void MilliValue_Quantity_RoundsAwayFromZeroAndSaturates(string input, long expected)
    {
        Assert.Equal(expected, ResourceQuantity.Parse(input).MilliValue());
    }

    [Theory]
    // Kubernetes' own examples (quantity.go doc comment, TestQuantityString, TestQuantityParseEmit).
    [InlineData("1.5", "1500m")]
    [InlineData("1.5Gi", "1536Mi")]
    [InlineData("1Ki", "1Ki")]
    [InlineData("1024Mi", "1Gi")]
    [InlineData("307200Ki", "300Mi")]
    [InlineData("1025024Mi", "1001Gi")]
    [InlineData("1024Gi", "1Ti")]
    [InlineData("6Ki", "6Ki")]
    [InlineData("1000M", "1G")]
    [InlineData("0.001T", "1G")]
    [InlineData("1000u", "1m")]
    [InlineData("1.08", "1080m")]
    [InlineData("1080000000n", "1080m")]
    [InlineData("1234567M", "1234567M")]
    [InlineData(".001Ki", "1024m")]
    [InlineData(".000001Ki", "1024u")]
    [InlineData(".000000001Ki", "1024n")]
    [InlineData(".000000000001Ki", "2n")]
    [InlineData("1025", "1025")]
    [InlineData(".001e12", "1e9")]
    [InlineData("0.001e0", "1e-3")]
    [InlineData("1000e-12", "1e-9")]
    [InlineData("80e-3", "80e-3")]
    [InlineData("300e6", "300e6")]
    [InlineData("1000E", "1e21")]
    [InlineData("5000E", "5e21")]
    [InlineData("12E", "12E")]
    // Binary values below 1024 or with a fraction are written in decimal.
    [InlineData("0.5Ki", "512")]
    [InlineData("1.1Ki", "1126400m")]
    [InlineData("1536Mi", "1536Mi")]
    [InlineData("1.5Ki", "1536")]
    [InlineData("8Ei", "9223372036854775807")]
    [InlineData("-1Ki", "-1Ki")]
    // Non-canonical spellings Kubernetes' String() would echo verbatim.
    [InlineData("+1", "1")]
    [InlineData("01", "1")]
    [InlineData("5.", "5")]
    [InlineData("1E3", "1e3")]
    [InlineData("1e+21", "1e21")]
    [InlineData("1e0", "1")]
    // Exponents lowered to a multiple of three.
    [InlineData("1e4", "10e3")]
    [InlineData("0.1", "100m")]
    [InlineData("100m", "100m")]
    [InlineData("50k", "50k")]
    [InlineData("-1.5", "-1500m")]
    [InlineData("1.0000000001", "1000000001n")]
    [InlineData("9223372036854775808", "9223372036854775808")]
    [InlineData("1e2147483647", "10e2147483646")]
    [InlineData("0", "0")]
    [InlineData("-0", "0")]
    [InlineData("0Ki", "0")]
    [InlineData("0e3", "0")]
    public void ToCanonicalString_Quantity_FollowsKubernetesCanonicalForm(string input, string expected)
    {
        var quantity = ResourceQuantity.Parse(input);

        Assert.Equal(expected, quantity.ToCanonicalString());
        Assert.Equal(quantity, ResourceQuantity.Parse(quantity.ToCanonicalString()));
    }

    [Theory]
    [InlineData("+1")]
    [InlineData("1E3")]
    [InlineData("0.50")]
    [InlineData("1024Mi")]
    public void ToString_ParsedQuantity_ReturnsOriginalText(string input)
    {
        Assert.Equal(input, ResourceQuantity.Parse(input).ToString());
    }

    [Theory]
    [InlineData("1", 1, false)]
    [InlineData("-1n", -1, false)]
    [InlineData("0", 0, true)]
    [InlineData("-0.0Gi", 0, true)]
    public void SignAndIsZero_Quantity_ReflectValue(string input, int sign, bool isZero)
    {
        var quantity = ResourceQuantity.Parse(input);

        Assert.Equal(sign, quantity.Sign);
        Assert.Equal(isZero, quantity.IsZero);
    }

    [Fact]
    public void Parse_ExponentAtThirtyTwoBitEdge_CompletesQuickly()
    {
        // Kubernetes never returns on some of these; here every operation stays cheap.
        var tiny = ResourceQuantity.Parse("1e-2147483647");
        var huge = ResourceQuantity.Parse("5e-2147483648");
        var long1 = ResourceQuantity.Parse("1234567890123456789012345678901234567890e2147483000");

        Assert.Equal("1e-9", tiny.ToExactString());
        Assert.Equal("5e2147483648", huge.ToExactString());
        Assert.True(long1 < huge);
        Assert.True(tiny < long1);
        Assert.Equal(long.MaxValue, huge.MilliValue());
        Assert.Equal("500e2147483646", huge.ToCanonicalString());
    }

    public static TheoryData<string, string> LongInputs() => new()
    {
        // Rounded to the nano-unit on the digits: a carry through thousands of nines.
        { new string('9', 5000) + ".9999999999", "1e5000" },
        { "-" + new string('9', 5000) + ".9999999999", "-1e5000" },
        { "0." + new string('0', 3000) + "1", "1e-9" },
        { "1." + new string('3', 4000), "1333333334e-9" },

        // A binary suffix on a long fraction: 1.333...×1024, then rounded up at the nano-unit.
        { "1." + new string('3', 4000) + "Ki", "1365333333334e-9" },

        // A long whole part with a binary suffix is over 2^63-1 however it rounds.
        { new string('7', 3000) + "." + new string('7', 3000) + "Mi", "9223372036854775807e0" },
    };

    [Theory]
    [MemberData(nameof(LongInputs))]
    public void Parse_LongInput_ExactValue(string input, string exact)
    {
        Assert.Equal(exact, ResourceQuantity.Parse(input).ToExactString());
    }

    [Fact]
    public void CompareTo_LongValuesBesideAPowerOfTen_OrderedByTheirDigitCount()
    {
        // The digit count comes from a logarithm: values next to 10^k are where it must be corrected.
        var belowPower = ResourceQuantity.Parse(new string('9', 4000));
        var power = ResourceQuantity.Parse("1" + new string('0', 4000));
        var abovePower = ResourceQuantity.Parse("1" + new string('0', 3999) + "1");

        Assert.True(belowPower < power);
        Assert.True(power < abovePower);
        Assert.True(ResourceQuantity.Parse(new string('9', 3999)) < belowPower);
        Assert.Equal(long.MaxValue, belowPower.Value());
    }

    [Fact]
    public void Parse_LongerThanTheLimit_RefusedSayingSo()
    {
        var text = new string('1', ResourceQuantity.MaxLength + 1);

        var error = Assert.Throws<FormatException>(() => ResourceQuantity.Parse(text));

        Assert.Equal($"invalid quantity \"11111111111111111111...\" (10,001 characters): PolicyGate reads quantities of at most 10,000 characters", error.Message);
        Assert.True(ResourceQuantity.TryParse(new string('1', ResourceQuantity.MaxLength), out _));
    }
}
