using System.Text.Json.Nodes;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Patch;

/// <summary>One operation of a JSON patch being applied; errors name the operation's index, op and path.</summary>
internal sealed class PatchStep
{
    private readonly int _index;
    private readonly JsonObject _operation;
    private readonly string? _op;
    private readonly string? _path;

    public PatchStep(int index, JsonNode? operation)
    {
        _index = index;
        _operation = operation as JsonObject ?? throw new JsonPatchException(index, null, null, "an operation must be an object");
        _op = OptionalString("op");
        _path = OptionalString("path");
    }

    /// <summary>Applies the operation to <paramref name="root"/> (which it may change) and returns the new root.</summary>
    public JsonNode? Apply(JsonNode? root)
    {
        var op = _op ?? throw Fail("missing \"op\"");
        var path = Pointer(_path ?? throw Fail("missing \"path\""));
        switch (op)
        {
            case "add":
                return Add(root, path, Value().Copy());
            case "remove":
                return Remove(root, path, out _);
            case "replace":
                return Replace(root, path, Value().Copy());
            case "move":
                {
                    var fromText = OptionalString("from") ?? throw Fail("missing \"from\"");
                    var from = Pointer(fromText);
                    if (_path!.StartsWith(fromText + "/", StringComparison.Ordinal))
                    {
                        throw Fail($"cannot move \"{fromText}\" into one of its own children");
                    }

                    Get(root, from);
                    if (fromText == _path)
                    {
                        return root;
                    }

                    root = Remove(root, from, out var moved);
                    return Add(root, path, moved);
                }

            case "copy":
                {
                    var from = Pointer(OptionalString("from") ?? throw Fail("missing \"from\""));
                    return Add(root, path, Get(root, from)?.DeepClone());
                }

            case "test":
                {
                    var expected = Value().Node;
                    var actual = Get(root, path);
                    return JsonNodeEquality.DeepEquals(actual, expected)
                        ? root
                        : throw Fail($"test failed: the value is {actual?.ToJsonString() ?? "null"}, not {expected?.ToJsonString() ?? "null"}");
                }

            default:
                throw Fail($"unknown op \"{op}\"");
        }
    }

    private string? OptionalString(string name)
    {
        if (!_operation.TryGetPropertyValue(name, out var node) || node is null)
        {
            return null;
        }

        return node is JsonValue value && value.TryGetValue<string>(out var text)
            ? text
            : throw new JsonPatchException(_index, _op, _path, $"\"{name}\" must be a string");
    }

    private PatchValue Value() =>
        _operation.TryGetPropertyValue("value", out var value) ? new PatchValue(value) : throw Fail("missing \"value\"");

    private string[] Pointer(string pointer) => JsonPointer.TryParse(pointer, out var error) ?? throw Fail($"invalid pointer \"{pointer}\": {error}");

    private JsonNode? Add(JsonNode? root, string[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        root ??= new JsonObject();
        var last = path[^1];
        switch (Navigate(root, path, path.Length - 1))
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array:
                if (!JsonPointer.TryParseIndex(last, out var index) || index > array.Count)
                {
                    throw Fail($"index \"{last}\" is not valid for an array of {array.Count} elements");
                }

                array.Insert(index, value);
                break;
            default:
                throw Fail("the parent of the target is not an object or an array");
        }

        return root;
    }

    private JsonNode? Remove(JsonNode? root, string[] path, out JsonNode? removed)
    {
        if (path.Length == 0)
        {
            throw Fail("cannot remove the document root");
        }

        var last = path[^1];
        switch (Navigate(root, path, path.Length - 1))
        {
            case JsonObject obj:
                if (!obj.TryGetPropertyValue(last, out removed))
                {
                    throw Fail($"member \"{last}\" does not exist");
                }

                obj.Remove(last);
                break;
            case JsonArray array:
                var index = ExistingIndex(array, last);
                removed = array[index];
                array.RemoveAt(index);
                break;
            default:
                throw Fail("the parent of the target is not an object or an array");
        }

        return root;
    }

    private JsonNode? Replace(JsonNode? root, string[] path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var last = path[^1];
        switch (Navigate(root, path, path.Length - 1))
        {
            case JsonObject obj:
                if (!obj.ContainsKey(last))
                {
                    throw Fail($"member \"{last}\" does not exist");
                }

                obj[last] = value;
                break;
            case JsonArray array:
                array[ExistingIndex(array, last)] = value;
                break;
            default:
                throw Fail("the parent of the target is not an object or an array");
        }

        return root;
    }

    private JsonNode? Get(JsonNode? root, string[] path) => Navigate(root, path, path.Length);

    /// <summary>Follows the first <paramref name="count"/> tokens of <paramref name="path"/>; every step must exist.</summary>
    private JsonNode? Navigate(JsonNode? root, string[] path, int count)
    {
        var current = root;
        for (var i = 0; i < count; i++)
        {
            var token = path[i];
            current = current switch
            {
                JsonObject obj => obj.TryGetPropertyValue(token, out var child)
                    ? child
                    : throw Fail($"path does not exist: no member \"{token}\" at \"{Prefix(path, i)}\""),
                JsonArray array => array[ExistingIndex(array, token)],
                _ => throw Fail($"path does not exist: \"{Prefix(path, i)}\" is not an object or an array"),
            };
        }

        return current;
    }

    private int ExistingIndex(JsonArray array, string token)
    {
        return JsonPointer.TryParseIndex(token, out var index) && index < array.Count
            ? index
            : throw Fail($"index \"{token}\" is not valid for an array of {array.Count} elements");
    }

    private static string Prefix(string[] path, int count) =>
        count == 0 ? string.Empty : "/" + string.Join('/', path.Take(count).Select(JsonPointer.Escape));

    private JsonPatchException Fail(string detail) => new(_index, _op, _path, detail);
}
