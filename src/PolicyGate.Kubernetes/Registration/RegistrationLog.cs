using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Registration;

internal static partial class RegistrationLog
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "{Kind} {Name} {Change}")]
    public static partial void Applied(ILogger logger, string kind, string name, string change);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "{Kind} {Name} changed while being written (conflict {Attempt}): reading it again")]
    public static partial void Conflict(ILogger logger, string kind, string name, int attempt);

    [LoggerMessage(EventId = 52, Level = LogLevel.Debug, Message = "Retrying a write to the API server in {Delay} (retry {Attempt}): {Error}")]
    public static partial void Retrying(ILogger logger, TimeSpan delay, int attempt, string error);
}
