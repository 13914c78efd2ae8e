using Microsoft.Extensions.Logging;

namespace PolicyGate.Kubernetes.Watch;

/// <summary>The cache's log lines, generated once (no formatting when the level is off).</summary>
internal static partial class ResourceCacheLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Listed {Count} {Resource} at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, int count, string resource, string? resourceVersion);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Watch of {Resource} from resourceVersion {ResourceVersion} is too old (410 Gone): listing again")]
    public static partial void Gone(ILogger logger, string resource, string? resourceVersion);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "{Call} of {Resource} failed (failure {Failures} in a row), retrying in {Delay}: {Error}")]
    public static partial void Failed(ILogger logger, string call, string resource, int failures, TimeSpan delay, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Skipped an unreadable watch event for {Resource}: {Error}")]
    public static partial void BadEvent(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A Changed handler of the {Resource} cache threw")]
    public static partial void HandlerFailed(ILogger logger, string resource, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug,
        Message = "Watch of {Resource} ended after {Events} event(s); resuming from resourceVersion {ResourceVersion}")]
    public static partial void WatchEnded(ILogger logger, string resource, int events, string? resourceVersion);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "The API server does not serve {Resource} (is its CustomResourceDefinition installed?): none are loaded until it does")]
    public static partial void NotServed(ILogger logger, string resource);
}
