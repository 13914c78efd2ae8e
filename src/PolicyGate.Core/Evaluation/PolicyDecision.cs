using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// One policy's decision on one request, with its mode and failurePolicy applied: <see cref="Allowed"/> is what
/// the API server would be told. A monitor-mode violation is allowed with its message kept and a warning added.
/// </summary>
public sealed record PolicyDecision(
    string Policy,
    PolicyMode Mode,
    DecisionOutcome Outcome,
    bool Allowed,
    string? Message,
    IReadOnlyList<string> Warnings,
    JsonArray? Patch,
    IReadOnlyDictionary<string, string>? AuditAnnotations)
{
    /// <summary>The script's own denial message when <c>spec.message</c> replaced it.</summary>
    public string? Detail { get; init; }

    /// <summary>True when the policy failed because it ran past its timeoutSeconds.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The object after this policy's patch, when it mutated (protect mode only).</summary>
    public JsonNode? MutatedObject { get; init; }

    /// <summary>
    /// How long this policy took on this request: its script, and the typed parse of the object when this was the
    /// first policy of the request to read it. Zero for a decision that was not timed (<see cref="PolicyEvaluator.ToDecision"/>).
    /// </summary>
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>
    /// What the decision is called in metrics, logs and traces: <c>allowed</c>, <c>denied</c>, <c>monitor-denied</c>
    /// (a monitor-mode violation, allowed), <c>mutated</c>, <c>error-allowed</c> or <c>error-denied</c> (the policy
    /// failed and its failurePolicy decided).
    /// </summary>
    public string Label => this switch
    {
        { Outcome: DecisionOutcome.Failed } => Allowed ? "error-allowed" : "error-denied",
        { Allowed: false } => "denied",
        { Outcome: DecisionOutcome.Denied } => "monitor-denied",
        { Outcome: DecisionOutcome.Mutated } => "mutated",
        _ => "allowed",
    };
}
