using Microsoft.CodeAnalysis;

namespace PolicyGate.Scripting.Sandbox;

/// <summary>Script code the <see cref="BudgetWeaver"/> cannot make stoppable, refused when the policy compiles.</summary>
internal sealed record WeaveRefusal(Location Location, string Id, string Message);
