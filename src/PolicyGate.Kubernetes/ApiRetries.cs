using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace PolicyGate.Kubernetes;

/// <summary>
/// The one way PolicyGate retries its writes to the API server (Events, webhook configurations, policy status):
/// exponential back-off with jitter on what <see cref="ApiErrors.IsTransient"/> calls transient, waiting as long as a
/// 429's <c>Retry-After</c> asks (capped), each attempt bounded by a timeout.
/// </summary>
internal static partial class ApiRetries
{
    /// <summary>The pipeline of the leader's and the replicas' own writes (webhook configurations, status, heartbeats):
    /// back-off from 200 ms up to 30 s, each call bounded by <paramref name="requestTimeout"/> (30 s unless given).</summary>
    public static ResiliencePipeline ForWrites(int maxAttempts, TimeSpan? requestTimeout, TimeProvider time, ILogger logger) =>
        Pipeline(maxAttempts, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), requestTimeout ?? TimeSpan.FromSeconds(30), time,
            (delay, attempt, error) => Retrying(logger, delay, attempt, error));

    [LoggerMessage(EventId = 52, Level = LogLevel.Debug, Message = "Retrying a write to the API server in {Delay} (retry {Attempt}): {Error}")]
    private static partial void Retrying(ILogger logger, TimeSpan delay, int attempt, string error);

    /// <param name="maxAttempts">Retries after the first try (0: none).</param>
    /// <param name="baseDelay">The first back-off delay, doubled each retry.</param>
    /// <param name="maxDelay">The longest wait between tries, also the cap on <c>Retry-After</c>.</param>
    /// <param name="timeout">The limit of each single call.</param>
    /// <param name="time">The clock (tests give a fake one).</param>
    /// <param name="onRetry">Told of each retry: the delay, the retry number (from 1) and the API server's words.</param>
    public static ResiliencePipeline Pipeline(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan timeout, TimeProvider time,
        Action<TimeSpan, int, string> onRetry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (maxAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = maxAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = baseDelay,
                MaxDelay = maxDelay,
                ShouldHandle = args => ValueTask.FromResult(ApiErrors.IsTransient(args.Outcome.Exception, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(
                    ApiErrors.RetryAfter(args.Outcome.Exception, time.GetUtcNow()) is { } asked ? (TimeSpan?)(asked < maxDelay ? asked : maxDelay) : null),
                OnRetry = args =>
                {
                    onRetry(args.RetryDelay, args.AttemptNumber + 1, args.Outcome.Exception is { } e ? ApiErrors.Describe(e) : "no result");
                    return default;
                },
            });
        }

        return builder.AddTimeout(timeout).Build();
    }
}
