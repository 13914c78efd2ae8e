using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace PolicyGate.Core.Kubernetes;

/// <summary>JSON settings and helpers for the Kubernetes models.</summary>
public static class KubernetesJson
{
    /// <summary>
    /// Read-only serializer options for Kubernetes JSON: camelCase property names, null properties omitted
    /// (except a model property that was an explicit <c>null</c> in the JSON it was read from, which is written
    /// back), strict numbers, case-sensitive names, no HTML escaping, 256 levels of nesting, and the source-generated
    /// <see cref="KubernetesJsonContext"/> for the models, falling back to reflection for any other type (a
    /// policy script's own types, say).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Deserializes <paramref name="element"/> as <typeparamref name="T"/> with <see cref="Options"/>.</summary>
    /// <remarks>Reads the element's raw UTF-8 text directly (JsonElement.Deserialize would write it out again first).</remarks>
    public static T? Deserialize<T>(JsonElement element) =>
        JsonSerializer.Deserialize(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element), GetTypeInfo<T>());

    /// <summary>Deserializes <paramref name="element"/> as <paramref name="type"/> with <see cref="Options"/>.</summary>
    public static object? Deserialize(JsonElement element, Type type) =>
        JsonSerializer.Deserialize(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element), Options.GetTypeInfo(type));

    /// <summary>Serializes <paramref name="value"/> to a <see cref="JsonNode"/> with <see cref="Options"/>.</summary>
    public static JsonNode? SerializeToNode<T>(T value) => JsonSerializer.SerializeToNode(value, GetTypeInfo<T>());

    private static JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
            PropertyNameCaseInsensitive = false,

            // As deep as an AdmissionReview is read (the default, 64, would refuse objects the request accepted).
            MaxDepth = Admission.AdmissionReviewDocument.MaxDepth,

            // Kubernetes JSON is not embedded in HTML: keep annotations such as "a<b" readable and byte-stable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(
                KubernetesJsonContext.Default.WithAddedModifier(ExplicitNullTracking.Apply),
                new DefaultJsonTypeInfoResolver()),
        };
        options.MakeReadOnly();
        return options;
    }
}
