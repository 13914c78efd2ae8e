using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>Who made the request (<c>authentication.k8s.io/v1</c> UserInfo). Read-only: every policy of a request sees the same one.</summary>
public sealed class UserInfo
{
    public string? Username { get; init; }

    public string? Uid { get; init; }

    public IReadOnlyList<string>? Groups { get; init; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Extra { get; init; }

    /// <summary>Fields this version does not know, kept as they came (read-only for scripts: only PolicyGate sets them).</summary>
    [JsonExtensionData]
    [JsonInclude]
    public IDictionary<string, System.Text.Json.JsonElement>? ExtensionData { get; internal set; }
}
