using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>The <c>request</c> of an AdmissionReview, every field of <c>admission.k8s.io/v1</c>.</summary>
public sealed class AdmissionRequest
{
    public string Uid { get; set; } = "";

    /// <summary>The kind of the object as submitted (group, version, kind).</summary>
    public GroupVersionKind Kind { get; set; } = new();

    /// <summary>The resource being requested, e.g. <c>{"group":"","version":"v1","resource":"pods"}</c>.</summary>
    public GroupVersionResource Resource { get; set; } = new();

    /// <summary>The subresource, e.g. <c>status</c> or <c>ephemeralcontainers</c>; empty for the main resource.</summary>
    public string? SubResource { get; set; }

    public GroupVersionKind? RequestKind { get; set; }

    public GroupVersionResource? RequestResource { get; set; }

    public string? RequestSubResource { get; set; }

    public string? Name { get; set; }

    public string? Namespace { get; set; }

    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public string Operation { get; set; } = "";

    public UserInfo UserInfo { get; set; } = new();

    public JsonElement? Object { get; set; }

    public JsonElement? OldObject { get; set; }

    public bool? DryRun { get; set; }

    public JsonElement? Options { get; set; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
