using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>The <c>response</c> of an AdmissionReview.</summary>
public sealed class AdmissionResponse
{
    public const string JsonPatchType = "JSONPatch";

    public string Uid { get; set; } = "";

    public bool Allowed { get; set; }

    public AdmissionStatus? Status { get; set; }

    /// <summary>Base64 of an RFC 6902 JSON Patch (System.Text.Json writes <c>byte[]</c> as base64).</summary>
    public byte[]? Patch { get; set; }

    public string? PatchType { get; set; }

    public IList<string>? Warnings { get; set; }

    public IDictionary<string, string>? AuditAnnotations { get; set; }

    [JsonExtensionData]
    public IDictionary<string, System.Text.Json.JsonElement>? ExtensionData { get; set; }
}
