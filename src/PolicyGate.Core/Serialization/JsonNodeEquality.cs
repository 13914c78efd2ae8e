using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// Deep equality of JSON trees: numbers compare by value (<c>1 == 1.0 == 1e0</c>), strings ordinally, objects
/// regardless of property order; optionally, object properties whose value is null count as absent (the way
/// Kubernetes typed models drop nulls).
/// </summary>
internal static class JsonNodeEquality
{
    /// <summary>Whether the node is JSON null (a C# null or a JsonValue holding null).</summary>
    public static bool IsNull(JsonNode? node) => node is null || (node is JsonValue value && value.GetValueKind() == JsonValueKind.Null);

    public static bool DeepEquals(JsonNode? a, JsonNode? b, bool ignoreNullProperties = false)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        if (IsNull(a) || IsNull(b))
        {
            return IsNull(a) && IsNull(b);
        }

        return a switch
        {
            JsonObject objectA => b is JsonObject objectB && ObjectsEqual(objectA, objectB, ignoreNullProperties),
            JsonArray arrayA => b is JsonArray arrayB && ArraysEqual(arrayA, arrayB, ignoreNullProperties),
            _ => a is JsonValue valueA && b is JsonValue valueB && ValuesEqual(valueA, valueB),
        };
    }

    private static bool ObjectsEqual(JsonObject a, JsonObject b, bool ignoreNullProperties)
    {
        if (!ignoreNullProperties)
        {
            if (a.Count != b.Count)
            {
                return false;
            }

            foreach (var (key, value) in a)
            {
                if (!b.TryGetPropertyValue(key, out var other) || !DeepEquals(value, other, ignoreNullProperties))
                {
                    return false;
                }
            }

            return true;
        }

        var count = 0;
        foreach (var (key, value) in a)
        {
            if (IsNull(value))
            {
                continue;
            }

            count++;
            if (!b.TryGetPropertyValue(key, out var other) || IsNull(other) || !DeepEquals(value, other, ignoreNullProperties))
            {
                return false;
            }
        }

        var countB = 0;
        foreach (var (_, value) in b)
        {
            if (!IsNull(value))
            {
                countB++;
            }
        }

        return count == countB;
    }

    private static bool ArraysEqual(JsonArray a, JsonArray b, bool ignoreNullProperties)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!DeepEquals(a[i], b[i], ignoreNullProperties))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValuesEqual(JsonValue a, JsonValue b)
    {
        var kind = a.GetValueKind();
        if (kind != b.GetValueKind())
        {
            return false;
        }

        return kind switch
        {
            JsonValueKind.String => string.Equals(GetString(a), GetString(b), StringComparison.Ordinal),
            JsonValueKind.Number => NumbersEqual(NumberText(a), NumberText(b)),
            _ => true, // true, false, null: the kind is the value
        };
    }

    private static string? GetString(JsonValue value)
    {
        if (value.TryGetValue<string>(out var s))
        {
            return s;
        }

        using var document = JsonDocument.Parse(value.ToJsonString());
        return document.RootElement.GetString();
    }

    private static string NumberText(JsonValue value) =>
        value.TryGetValue<JsonElement>(out var element) ? element.GetRawText() : value.ToJsonString();

    private static bool NumbersEqual(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        if (decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var decimalA)
            && decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var decimalB))
        {
            return decimalA == decimalB;
        }

        return double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var doubleA)
            && double.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var doubleB)
            && doubleA.Equals(doubleB);
    }
}
