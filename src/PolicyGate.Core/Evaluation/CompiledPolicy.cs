using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// A policy ready to evaluate: its resource, its compiled program, and how to bind its settings (already checked)
/// afresh for each evaluation.
/// </summary>
public sealed record CompiledPolicy(PolicyResource Resource, IPolicyProgram Program, Func<object?>? CreateSettings)
{
    public string Name => Resource.DisplayName;

    public PolicySpec Spec => Resource.Spec;
}
