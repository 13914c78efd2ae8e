namespace PolicyGate.Core.Evaluation;

public enum DecisionOutcome
{
    Allowed,
    Mutated,
    Denied,
    Failed,
}
