namespace PolicyGate.Server.Observability;

/// <summary>Which requests get a decision line (event 1010, one per request) and at which level. Metrics count every decision.</summary>
public enum DecisionLogMode
{
    /// <summary>At Information when a decision denied, warned, mutated or failed (or a monitor-mode policy was violated), naming those; at Debug when every policy simply allowed.</summary>
    Changes,

    /// <summary>Every request's line at Information, naming every decision.</summary>
    All,

    /// <summary>No decision lines.</summary>
    None,
}
