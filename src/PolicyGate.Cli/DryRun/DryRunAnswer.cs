using PolicyGate.Core.Admission;

namespace PolicyGate.Cli.DryRun;

/// <summary>
/// What the API server would be told about one object: mutating policies' patches composed, then the validating
/// policies' verdict on the mutated object (the same answer <c>policygate run</c> and the webhook give).
/// </summary>
internal sealed record DryRunAnswer(DryRunObject Object, AdmissionResponse Response);
