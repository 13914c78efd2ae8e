namespace PolicyGate.Server.Observability;

/// <summary>Which policy decisions <c>serve</c> writes a log line for (event 1010). Metrics count every decision.</summary>
public enum DecisionLogMode
{
    /// <summary>Denials, monitor-mode violations, mutations, failures and warnings at Information; plain allows at Debug.</summary>
    Changes,

    /// <summary>Every decision at Information.</summary>
    All,

    /// <summary>No decision lines.</summary>
    None,
}
