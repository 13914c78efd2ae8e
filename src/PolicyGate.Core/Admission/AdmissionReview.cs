using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>An <c>admission.k8s.io/v1</c> AdmissionReview: the request the API server sends and the response it expects.</summary>
public sealed class AdmissionReview
{
    public const string ApiVersionV1 = "admission.k8s.io/v1";
    public const string KindName = "AdmissionReview";

    public string? ApiVersion { get; set; }

    public string? Kind { get; set; }

    public AdmissionRequest? Request { get; set; }

    public AdmissionResponse? Response { get; set; }

    [JsonExtensionData]
    public IDictionary<string, System.Text.Json.JsonElement>? ExtensionData { get; set; }
}
