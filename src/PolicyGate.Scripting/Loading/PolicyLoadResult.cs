using PolicyGate.Core.Evaluation;

namespace PolicyGate.Scripting.Loading;

/// <summary>The policies that loaded, and every policy or document that did not.</summary>
public sealed record PolicyLoadResult(IReadOnlyList<CompiledPolicy> Policies, IReadOnlyList<PolicyLoadError> Errors);
