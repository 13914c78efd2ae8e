using System.Text.Json.Serialization;

namespace PolicyGate.Core.Admission;

/// <summary>Who made the request (<c>authentication.k8s.io/v1</c> UserInfo).</summary>
public sealed class UserInfo
{
    public string? Username { get; set; }

    public string? Uid { get; set; }

    public IList<string>? Groups { get; set; }

    public IDictionary<string, IList<string>>? Extra { get; set; }

    [JsonExtensionData]
    public IDictionary<string, System.Text.Json.JsonElement>? ExtensionData { get; set; }
}
