using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Replicas;

internal static partial class ReplicaLog
{
    [LoggerMessage(EventId = 70, Level = LogLevel.Debug, Message = "Retrying a replica heartbeat call in {Delay} (retry {Attempt}): {Error}")]
    public static partial void Retrying(ILogger logger, TimeSpan delay, int attempt, string error);
}
