using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Registry;

/// <summary>What <c>GET /policies</c> shows for one policy: what serves, where it came from, and the last error.</summary>
/// <param name="Name">The policy's display name (<c>name</c>, or <c>namespace/name</c> for an AdmissionPolicy).</param>
/// <param name="Hash">SHA-256 of the serving script, or null when no version has ever loaded.</param>
/// <param name="Serving">True when some version of the policy answers requests (the current one or the last good one).</param>
public sealed record PolicyStatus(
    string Name,
    string Source,
    string? Hash,
    PolicyMode? Mode,
    PolicyState State,
    bool Serving,
    string? LastError,
    DateTimeOffset ChangedAt);
