namespace PolicyGate.Core.Sandbox;

/// <summary>
/// Thrown into a running script by its <see cref="ScriptBudget"/> to stop it. The compiler adds a filter to every
/// <c>catch</c> in a script so that no script code can catch it (<see cref="ScriptBudget.CanCatch"/>), and the budget
/// stays stopped, so any later check in a <c>finally</c> or after a swallowing library call throws again.
/// Scripts cannot create one: the evaluator decides from <see cref="ScriptBudget.Stopped"/>, not from this type.
/// </summary>
public sealed class BudgetExceededException : Exception
{
    internal BudgetExceededException(BudgetStop reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public BudgetStop Reason { get; }
}
