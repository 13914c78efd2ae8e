using System.Text.Json;

namespace PolicyGate.Core.Matching;

/// <summary>Reads <c>metadata.labels</c> from an object without deserialising the rest of it.</summary>
public static class ObjectLabels
{
    public static IReadOnlyDictionary<string, string>? Of(JsonElement? obj)
    {
        if (obj is not { ValueKind: JsonValueKind.Object } o ||
            !o.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object ||
            !metadata.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in labels.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                result[property.Name] = property.Value.GetString()!;
            }
        }

        return result;
    }
}
