using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Patch;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// The differences between an expected and an actual JSON value, one line each, for people: <c>- PATH: VALUE</c>
/// (expected, missing), <c>+ PATH: VALUE</c> (not expected), <c>~ PATH: expected X, got Y</c>. Computed by the
/// JSON patch PolicyGate answers with (<see cref="JsonPatch.CreateDiff"/>), so nulls and number forms compare as there.
/// </summary>
internal static class JsonDiff
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static bool AreEqual(JsonNode? expected, JsonNode? actual) =>
        JsonNodeEquality.DeepEquals(expected, actual, ignoreNullProperties: true);

    public static List<string> Lines(JsonNode? expected, JsonNode? actual)
    {
        var lines = new List<string>();
        foreach (var operation in JsonPatch.CreateDiff(expected, actual))
        {
            var op = operation!["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            var where = path.Length == 0 ? "(whole value)" : path;
            lines.Add(op switch
            {
                "add" => $"+ {where}: {Text(operation["value"])}",
                "remove" => $"- {where}: {Text(At(expected, path))}",
                _ => $"~ {where}: expected {Text(At(expected, path))}, got {Text(operation["value"])}",
            });
        }

        return lines;
    }

    /// <summary>
    /// Two lists of JSON values (patch operations), item by item: <c>  ITEM</c> in both, <c>- ITEM</c> expected
    /// only, <c>+ ITEM</c> actual only, in the order of the longest run they share.
    /// </summary>
    public static List<string> ItemLines(JsonArray expected, JsonArray actual)
    {
        var e = expected.Select(Text).ToArray();
        var a = actual.Select(Text).ToArray();
        var common = new int[e.Length + 1, a.Length + 1];
        for (var i = e.Length - 1; i >= 0; i--)
        {
            for (var j = a.Length - 1; j >= 0; j--)
            {
                common[i, j] = AreEqual(expected[i], actual[j]) ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }

        var lines = new List<string>();
        int x = 0, y = 0;
        while (x < e.Length || y < a.Length)
        {
            if (x < e.Length && y < a.Length && AreEqual(expected[x], actual[y]))
            {
                lines.Add("  " + e[x++]);
                y++;
            }
            else if (x < e.Length && (y == a.Length || common[x + 1, y] >= common[x, y + 1]))
            {
                lines.Add("- " + e[x++]);
            }
            else
            {
                lines.Add("+ " + a[y++]);
            }
        }

        return lines;
    }

    public static string Text(JsonNode? node) => node?.ToJsonString(Compact) ?? "null";

    private static JsonNode? At(JsonNode? root, string pointer)
    {
        var node = root;
        foreach (var token in JsonPointer.TryParse(pointer, out _) ?? [])
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array when JsonPointer.TryParseIndex(token, out var index) && index < array.Count => array[index],
                _ => null,
            };
        }

        return node;
    }
}
