using System.Runtime.InteropServices;
using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>The value readers of <see cref="ModelReader"/>, one per JSON shape a model property can have.</summary>
internal static partial class ModelReader
{
    /// <summary>
    /// Reads one JSON value as a <typeparamref name="T"/>. A property's JSON <c>null</c> never reaches a reader (the
    /// property records it); a list item's or map value's does, and is read as STJ reads it: null for strings, models,
    /// quantities, lists and maps, a Null element for <see cref="JsonElement"/>, an error for numbers and booleans.
    /// </summary>
    private abstract class ValueReader<T>
    {
        public abstract T? Read(JsonElement value);
    }

    private sealed class StringReader : ValueReader<string>
    {
        public static readonly StringReader Instance = new();

        public override string? Read(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => throw ReadError.Expected("a string or null", value),
        };
    }

    private sealed class Int32Reader(string expected) : ValueReader<int>
    {
        public static readonly Int32Reader InProperty = new("an integer or null");
        public static readonly Int32Reader InCollection = new("an integer");

        public override int Read(JsonElement value) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw IntegerError(value, expected, "32-bit");
    }

    private sealed class Int64Reader(string expected) : ValueReader<long>
    {
        public static readonly Int64Reader InProperty = new("an integer or null");
        public static readonly Int64Reader InCollection = new("an integer");

        public override long Read(JsonElement value) =>
            value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : throw IntegerError(value, expected, "64-bit");
    }

    private sealed class BooleanReader(string expected) : ValueReader<bool>
    {
        public static readonly BooleanReader InProperty = new("true, false or null");
        public static readonly BooleanReader InCollection = new("true or false");

        public override bool Read(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ReadError.Expected(expected, value),
        };
    }

    /// <summary>Raw JSON: the element itself, an element of the caller's document, never a copy.</summary>
    private sealed class ElementReader : ValueReader<JsonElement>
    {
        public static readonly ElementReader Instance = new();

        public override JsonElement Read(JsonElement value) => value;
    }

    /// <summary>
    /// A quantity from a JSON string or number, parsed as <see cref="ResourceQuantityJsonConverter"/> does. The same
    /// few quantities (<c>500m</c>, <c>128Mi</c>) come back in request after request, and parsing one costs more than
    /// reading the rest of its container; a <see cref="ResourceQuantity"/> is immutable, so the last one parsed is
    /// kept per hash bucket of its raw JSON token and handed out again for the same bytes. The cache has a fixed
    /// number of entries, whatever the input.
    /// </summary>
    private sealed class QuantityReader : ValueReader<ResourceQuantity>
    {
        public static readonly QuantityReader Instance = new();

        private const int CacheSize = 256;
        private const int LongestCachedToken = 64;

        private readonly CachedQuantity?[] _cache = new CachedQuantity?[CacheSize];

        public override ResourceQuantity? Read(JsonElement value)
        {
            if (value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number))
            {
                return value.ValueKind == JsonValueKind.Null ? null : throw ReadError.Expected("a quantity (a JSON string or number) or null", value);
            }

            var raw = JsonMarshal.GetRawUtf8Value(value); // the token as written: "500m" with its quotes, or 0.5
            var hash = new HashCode();
            hash.AddBytes(raw);
            var bucket = (int)((uint)hash.ToHashCode() % CacheSize);
            if (_cache[bucket] is { } cached && raw.SequenceEqual(cached.Token))
            {
                return cached.Quantity;
            }

            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            if (!ResourceQuantity.TryParseJson(text, out var quantity, out var error))
            {
                throw new ReadError(error);
            }

            if (raw.Length <= LongestCachedToken)
            {
                _cache[bucket] = new CachedQuantity(raw.ToArray(), quantity);
            }

            return quantity;
        }

        private sealed record CachedQuantity(byte[] Token, ResourceQuantity Quantity);
    }

    private sealed class ModelValueReader<TModel>(ModelPlan<TModel> plan) : ValueReader<TModel>
        where TModel : KubernetesModel, new()
    {
        public override TModel? Read(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => plan.Read(value),
            JsonValueKind.Null => null,
            _ => throw ReadError.Expected("an object or null", value),
        };
    }

    /// <summary>A JSON array as a <see cref="ReadOnlyModelList{T}"/> over an array of its exact length.</summary>
    private sealed class ListReader<TItem>(ValueReader<TItem> itemReader) : ValueReader<IList<TItem>>
    {
        public override IList<TItem>? Read(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                return value.ValueKind == JsonValueKind.Null ? null : throw ReadError.Expected("an array or null", value);
            }

            var length = value.GetArrayLength();
            var items = length == 0 ? [] : new TItem[length]; // an empty read-only list can share the empty array
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                try
                {
                    items[index] = itemReader.Read(item)!;
                }
                catch (ReadError error)
                {
                    error.AddIndex(index);
                    throw;
                }

                index++;
            }

            return ReadOnlyModelList<TItem>.Wrap(items);
        }
    }

    /// <summary>A JSON object as a <see cref="ReadOnlyModelDictionary{TValue}"/>; the last of duplicate keys wins.</summary>
    private sealed class MapReader<TValue>(ValueReader<TValue> valueReader) : ValueReader<IDictionary<string, TValue>>
    {
        public override IDictionary<string, TValue>? Read(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                return value.ValueKind == JsonValueKind.Null ? null : throw ReadError.Expected("an object or null", value);
            }

            var map = new Dictionary<string, TValue>(value.GetPropertyCount(), StringComparer.Ordinal);
            foreach (var property in value.EnumerateObject())
            {
                var key = property.Name;
                try
                {
                    map[key] = valueReader.Read(property.Value)!;
                }
                catch (ReadError error)
                {
                    error.AddProperty(key);
                    throw;
                }
            }

            return ReadOnlyModelDictionary<TValue>.Wrap(map);
        }
    }

    private static ReadError IntegerError(JsonElement value, string expected, string size)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            return ReadError.Expected(expected, value);
        }

        var text = value.GetRawText();
        return text.AsSpan().IndexOfAny('.', 'e', 'E') >= 0
            ? new ReadError($"expected an integer, got {text}: a fraction or exponent is not allowed")
            : new ReadError($"expected a {size} integer, got {text}: out of range");
    }
}
