using System.Text.Json.Nodes;

namespace PolicyGate.Core.Evaluation;

/// <summary>What a policy script decided, before its mode and failurePolicy are applied.</summary>
public abstract record PolicyVerdict(IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, string>? AuditAnnotations)
{
    /// <summary>Allowed, with a JSON Patch when the policy mutated the object.</summary>
    public sealed record Allowed(JsonArray? Patch, JsonNode? MutatedObject, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, string>? AuditAnnotations)
        : PolicyVerdict(Warnings, AuditAnnotations);

    public sealed record Denied(string Message, IReadOnlyList<string> Warnings, IReadOnlyDictionary<string, string>? AuditAnnotations)
        : PolicyVerdict(Warnings, AuditAnnotations);

    /// <summary>The script threw, misbehaved or ran out of time (only the text is kept: never a script's own object).</summary>
    public sealed record Failed(string Error, bool TimedOut)
        : PolicyVerdict([], null);
}
