using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Events;

/// <summary>The recorder's log lines, generated once (no formatting when the level is off).</summary>
internal static partial class EventRecorderLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Event queue full or closed: dropped {SinceLast} occurrence(s) since the last report, {Total} in all")]
    public static partial void Dropped(ILogger logger, long sinceLast, long total);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Gave up {Write} of Event {Reason} for {Kind} {Namespace}/{Name} ({Occurrences} occurrence(s)): {Error}")]
    public static partial void Failed(ILogger logger, string write, string reason, string kind, string? @namespace, string name,
        long occurrences, string error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "Retrying an Event write in {Delay} (retry {Attempt}): {Error}")]
    public static partial void Retrying(ILogger logger, TimeSpan delay, int attempt, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Event {Name} in {Namespace} is gone; creating a new one for its series")]
    public static partial void Recreating(ILogger logger, string name, string @namespace);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Event recorder stopped with {Abandoned} occurrence(s) undelivered")]
    public static partial void Abandoned(ILogger logger, long abandoned);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Event recorder pump failed")]
    public static partial void PumpFailed(ILogger logger, Exception exception);
}
