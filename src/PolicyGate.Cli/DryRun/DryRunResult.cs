using PolicyGate.Core.Evaluation;

namespace PolicyGate.Cli.DryRun;

/// <summary>One (object, matching policy) pair and what the policy decided.</summary>
internal sealed record DryRunResult(DryRunObject Object, PolicyDecision Decision);
