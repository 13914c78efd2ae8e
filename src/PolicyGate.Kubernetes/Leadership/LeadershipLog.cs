using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Leadership;

internal static partial class LeadershipLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "{Identity} leads (Lease {Namespace}/{Lease}): it writes webhook configurations and policy status")]
    public static partial void StartedLeading(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "{Identity} stopped leading: another replica writes to the cluster")]
    public static partial void StoppedLeading(ILogger logger, string identity);

    [LoggerMessage(EventId = 42, Level = LogLevel.Information, Message = "Leader of PolicyGate's replicas: {Leader} (Lease {Namespace}/{Lease})")]
    public static partial void NewLeader(ILogger logger, string leader, string @namespace, string lease);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Leader election: {Error}")]
    public static partial void ElectionError(ILogger logger, string error);

    [LoggerMessage(EventId = 44, Level = LogLevel.Information, Message = "{Identity} stopped and handed its Lease over")]
    public static partial void HandedOver(ILogger logger, string identity);
}
