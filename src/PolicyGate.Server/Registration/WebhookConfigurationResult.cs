using System.Text.Json.Nodes;

namespace PolicyGate.Server.Registration;

/// <summary>The webhook configurations (validating, then mutating), and the policies left out of them and why.</summary>
public sealed record WebhookConfigurationResult(IReadOnlyList<JsonObject> Documents, IReadOnlyList<string> Errors);
