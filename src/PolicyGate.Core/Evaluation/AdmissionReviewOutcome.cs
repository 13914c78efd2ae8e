using PolicyGate.Core.Admission;

namespace PolicyGate.Core.Evaluation;

/// <summary>The response to send, with the per-policy decisions behind it (for logs, metrics and Events).</summary>
public sealed record AdmissionReviewOutcome(AdmissionResponse Response, IReadOnlyList<PolicyDecision> Decisions);
