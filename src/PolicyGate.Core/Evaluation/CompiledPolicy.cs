using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Evaluation;

/// <summary>A policy ready to evaluate: its resource, its compiled program and its settings, already checked.</summary>
public sealed record CompiledPolicy(PolicyResource Resource, IPolicyProgram Program, object? Settings)
{
    public string Name => Resource.DisplayName;

    public PolicySpec Spec => Resource.Spec;
}
