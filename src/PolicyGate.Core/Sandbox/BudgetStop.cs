namespace PolicyGate.Core.Sandbox;

/// <summary>Why a <see cref="ScriptBudget"/> stopped the script it was guarding.</summary>
public enum BudgetStop
{
    /// <summary>Not stopped.</summary>
    None,

    /// <summary>The script ran past its deadline (the policy's <c>timeoutSeconds</c>).</summary>
    Time,

    /// <summary>The script allocated more than its allocation limit.</summary>
    Memory,

    /// <summary>
    /// The script used more stack than it may (<see cref="ScriptBudget.MaxScriptStackBytes"/>), or the thread's stack ran
    /// low: unbounded recursion, or a <c>stackalloc</c> too large.
    /// </summary>
    Depth,

    /// <summary>The caller's cancellation token was cancelled.</summary>
    Cancelled,
}
