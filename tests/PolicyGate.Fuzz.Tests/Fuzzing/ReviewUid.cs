using System.Text.Json;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>The uid an accepted AdmissionReview body must get back, read independently of PolicyGate's reader.</summary>
internal static class ReviewUid
{
    /// <summary>
    /// <c>request.uid</c> of the body, or null when it has none. As the API server's reader does: one UTF-8
    /// byte-order mark skipped, field names matched ignoring case, and the last of repeated fields wins.
    /// </summary>
    public static string? Of(byte[] body)
    {
        var json = body.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 256 });
            var request = Last(document.RootElement, "request");
            return request is { ValueKind: JsonValueKind.Object } r && Last(r, "uid") is { ValueKind: JsonValueKind.String } uid ? uid.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? Last(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        JsonElement? found = null;
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                found = property.Value;
            }
        }

        return found;
    }
}
