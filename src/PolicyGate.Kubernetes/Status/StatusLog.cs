using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Status;

internal static partial class StatusLog
{
    [LoggerMessage(EventId = 60, Level = LogLevel.Debug, Message = "{Plural} {Name} changed while its status was written (conflict {Attempt}): reading it again")]
    public static partial void Conflict(ILogger logger, string plural, string name, int attempt);
}
