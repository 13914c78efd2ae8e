using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>Serializer options for AdmissionReview bodies: camelCase, nulls omitted, as the API server writes them.</summary>
public static class AdmissionJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = AdmissionJsonContext.Default,
    };
}
