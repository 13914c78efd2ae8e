using System.Text.Json.Nodes;

namespace PolicyGate.Cli.WebhookConfig;

/// <summary>The webhook configurations (validating, then mutating; each only if it has webhooks), or why not.</summary>
internal sealed record WebhookConfigurationResult(IReadOnlyList<JsonObject> Documents, IReadOnlyList<string> Errors);
