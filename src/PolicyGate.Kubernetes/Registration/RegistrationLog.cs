using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Registration;

internal static partial class RegistrationLog
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "{Kind} {Name} {Change}")]
    public static partial void Applied(ILogger logger, string kind, string name, string change);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "{Kind} {Name} changed while being written (conflict {Attempt}): reading it again")]
    public static partial void Conflict(ILogger logger, string kind, string name, int attempt);
}
