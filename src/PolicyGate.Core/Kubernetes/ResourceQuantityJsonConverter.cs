using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Reads a <see cref="ResourceQuantity"/> from a JSON string or number, as Kubernetes accepts both
/// (<c>"500m"</c>, <c>2</c>, <c>1e3</c>), and writes it back as a JSON string holding
/// <see cref="ResourceQuantity.Original"/>, so a quantity read as a string keeps its exact spelling.
/// </summary>
/// <remarks>
/// As in Kubernetes' <c>UnmarshalJSON</c>, white space around the text is ignored when parsing (and kept in
/// <see cref="ResourceQuantity.Original"/>). An invalid quantity raises a <see cref="JsonException"/> with the
/// message of <see cref="ResourceQuantity.Parse"/>; the serializer sets its <see cref="JsonException.Path"/>.
/// </remarks>
public sealed class ResourceQuantityJsonConverter : JsonConverter<ResourceQuantity>
{
    /// <inheritdoc/>
    public override ResourceQuantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
            _ => throw new JsonException($"a quantity must be a JSON string or number, not {reader.TokenType}"),
        };
        return ResourceQuantity.TryParseJson(text, out var quantity, out var error) ? quantity : throw new JsonException(error);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Original);
    }
}
