using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// Resolves YAML scalars to JSON values with the YAML 1.2 core schema.
/// </summary>
/// <remarks>
/// Only untagged PLAIN scalars are resolved (null, bool, int, float); quoted, literal and folded scalars, and scalars
/// with the non-specific tag <c>!</c>, are strings. The core tags <c>!!str</c>, <c>!!null</c>, <c>!!bool</c>,
/// <c>!!int</c> and <c>!!float</c> are honoured (a value that does not fit its tag is an error); any other tag is
/// ignored and the scalar is resolved as if untagged. <c>.inf</c> and <c>.nan</c> have no JSON form and are errors.
/// </remarks>
internal static class YamlScalarResolver
{
    private const string CoreTagPrefix = "tag:yaml.org,2002:";

    public static JsonNode? Resolve(Scalar scalar)
    {
        var tag = scalar.Tag;
        if (tag.IsEmpty)
        {
            return scalar.Style == ScalarStyle.Plain ? ResolvePlain(scalar.Value, scalar.Start) : JsonValue.Create(scalar.Value);
        }

        if (tag.IsNonSpecific)
        {
            return JsonValue.Create(scalar.Value);
        }

        var name = tag.Value;
        if (!name.StartsWith(CoreTagPrefix, StringComparison.Ordinal))
        {
            return scalar.Style == ScalarStyle.Plain ? ResolvePlain(scalar.Value, scalar.Start) : JsonValue.Create(scalar.Value);
        }

        var value = scalar.Value;
        switch (name.AsSpan(CoreTagPrefix.Length))
        {
            case "str":
                return JsonValue.Create(value);
            case "null":
                return value.Length == 0 || IsNull(value) ? null : throw Mismatch(scalar, "null");
            case "bool":
                return TryParseBool(value, out var b) ? JsonValue.Create(b) : throw Mismatch(scalar, "bool");
            case "int":
                return TryParseInt(value, out var i) ? i : throw Mismatch(scalar, "int");
            case "float":
                if (TryParseInt(value, out var asInt))
                {
                    return asInt;
                }

                if (IsInfinityOrNaN(value))
                {
                    throw NotRepresentable(value, scalar.Start);
                }

                return IsFloat(value) ? ParseFloat(value, scalar.Start) : throw Mismatch(scalar, "float");
            default:
                return scalar.Style == ScalarStyle.Plain ? ResolvePlain(value, scalar.Start) : JsonValue.Create(value);
        }
    }

    /// <summary>Resolves an untagged plain scalar.</summary>
    public static JsonNode? ResolvePlain(string value, Mark mark)
    {
        if (value.Length == 0)
        {
            return null;
        }

        switch (value[0])
        {
            case '~':
            case 'n':
            case 'N':
                return IsNull(value) ? null : JsonValue.Create(value);
            case 't':
            case 'T':
            case 'f':
            case 'F':
                return TryParseBool(value, out var b) ? JsonValue.Create(b) : JsonValue.Create(value);
            case '.':
            case '+':
            case '-':
            case >= '0' and <= '9':
                if (TryParseInt(value, out var i))
                {
                    return i;
                }

                if (IsInfinityOrNaN(value))
                {
                    throw NotRepresentable(value, mark);
                }

                return IsFloat(value) ? ParseFloat(value, mark) : JsonValue.Create(value);
            default:
                return JsonValue.Create(value);
        }
    }

    private static bool IsNull(string value) => value is "~" or "null" or "Null" or "NULL";

    private static bool TryParseBool(string value, out bool result)
    {
        switch (value)
        {
            case "true" or "True" or "TRUE":
                result = true;
                return true;
            case "false" or "False" or "FALSE":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    /// <summary>Core-schema integers: <c>[-+]?[0-9]+</c>, <c>0o[0-7]+</c>, <c>0x[0-9a-fA-F]+</c>.</summary>
    private static bool TryParseInt(string value, out JsonNode? result)
    {
        result = null;
        if (value.Length > 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'o'))
        {
            var digits = value.AsSpan(2);
            var hex = value[1] == 'x';
            foreach (var c in digits)
            {
                if (hex ? !char.IsAsciiHexDigit(c) : c is < '0' or > '7')
                {
                    return false;
                }
            }

            BigInteger big = 0;
            var radix = hex ? 16 : 8;
            foreach (var c in digits)
            {
                big = (big * radix) + (char.IsAsciiDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
            }

            result = big >= long.MinValue && big <= long.MaxValue ? JsonValue.Create((long)big) : BigNumber(big.ToString(CultureInfo.InvariantCulture));
            return true;
        }

        var start = value[0] is '-' or '+' ? 1 : 0;
        if (start == value.Length)
        {
            return false;
        }

        for (var i = start; i < value.Length; i++)
        {
            if (!char.IsAsciiDigit(value[i]))
            {
                return false;
            }
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            result = JsonValue.Create(l);
            return true;
        }

        // Beyond 64 bits: keep the exact digits as a JSON number.
        var trimmed = value.AsSpan(start).TrimStart('0');
        result = BigNumber((value[0] == '-' ? "-" : string.Empty) + trimmed.ToString());
        return true;
    }

    private static JsonNode? BigNumber(string jsonNumber) => JsonNode.Parse(jsonNumber);

    /// <summary>Core-schema floats: <c>[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?</c>.</summary>
    private static bool IsFloat(string value)
    {
        var i = 0;
        var n = value.Length;
        if (i < n && value[i] is '-' or '+')
        {
            i++;
        }

        if (i < n && value[i] == '.')
        {
            i++;
            if (!SkipDigits(value, ref i))
            {
                return false;
            }
        }
        else
        {
            if (!SkipDigits(value, ref i))
            {
                return false;
            }

            if (i < n && value[i] == '.')
            {
                i++;
                SkipDigits(value, ref i);
            }
        }

        if (i < n && value[i] is 'e' or 'E')
        {
            i++;
            if (i < n && value[i] is '-' or '+')
            {
                i++;
            }

            if (!SkipDigits(value, ref i))
            {
                return false;
            }
        }

        return i == n;
    }

    private static bool SkipDigits(string value, ref int i)
    {
        var start = i;
        while (i < value.Length && char.IsAsciiDigit(value[i]))
        {
            i++;
        }

        return i > start;
    }

    private static bool IsInfinityOrNaN(string value)
    {
        var rest = value.AsSpan(value[0] is '-' or '+' ? 1 : 0);
        return rest is ".inf" or ".Inf" or ".INF" || value is ".nan" or ".NaN" or ".NAN";
    }

    private static JsonValue ParseFloat(string value, Mark mark)
    {
        var d = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(d) ? JsonValue.Create(d) : throw new YamlConversionException(mark, $"number '{value}' is out of range for JSON");
    }

    private static YamlConversionException NotRepresentable(string value, Mark mark) =>
        new(mark, $"'{value}' (infinity or NaN) cannot be represented in JSON; quote it if a string is meant");

    private static YamlConversionException Mismatch(Scalar scalar, string type) =>
        new(scalar.Start, $"value '{scalar.Value}' is not a valid !!{type}");
}
