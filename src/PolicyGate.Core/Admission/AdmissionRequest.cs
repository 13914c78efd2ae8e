using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>
/// The <c>request</c> of an AdmissionReview, every field of <c>admission.k8s.io/v1</c>. Read-only (init-only
/// properties, read-only collections, the objects as <see cref="JsonElement"/>s): every policy of a request reads the
/// same instance, so none can change what another sees, nor the uid the answer echoes.
/// </summary>
public sealed record AdmissionRequest
{
    public string Uid { get; init; } = "";

    /// <summary>The kind of the object as submitted (group, version, kind).</summary>
    public GroupVersionKind Kind { get; init; } = new();

    /// <summary>The resource being requested, e.g. <c>{"group":"","version":"v1","resource":"pods"}</c>.</summary>
    public GroupVersionResource Resource { get; init; } = new();

    /// <summary>The subresource, e.g. <c>status</c> or <c>ephemeralcontainers</c>; empty for the main resource.</summary>
    public string? SubResource { get; init; }

    public GroupVersionKind? RequestKind { get; init; }

    public GroupVersionResource? RequestResource { get; init; }

    public string? RequestSubResource { get; init; }

    public string? Name { get; init; }

    public string? Namespace { get; init; }

    /// <summary>CREATE, UPDATE, DELETE or CONNECT.</summary>
    public string Operation { get; init; } = "";

    public UserInfo UserInfo { get; init; } = new();

    public JsonElement? Object { get; init; }

    public JsonElement? OldObject { get; init; }

    public bool? DryRun { get; init; }

    public JsonElement? Options { get; init; }

    /// <summary>Fields this version does not know, kept as they came (read-only for scripts: only PolicyGate sets them).</summary>
    [JsonExtensionData]
    [JsonInclude]
    public IDictionary<string, JsonElement>? ExtensionData { get; internal set; }
}
