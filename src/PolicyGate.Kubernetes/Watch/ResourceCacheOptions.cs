namespace PolicyGate.Kubernetes.Watch;

/// <summary>How a <see cref="ResourceCache"/> paces its list and watch calls. The defaults follow client-go's
/// reflector where it has an equivalent.</summary>
public sealed class ResourceCacheOptions
{
    /// <summary>The first delay after a failure; it doubles with each consecutive failure, with jitter.</summary>
    public TimeSpan MinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay after a failure, including a server's <c>Retry-After</c>.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one watch call lasts: sent as <c>timeoutSeconds</c> (whole seconds, at least one), after which
    /// the server ends the watch and the cache starts another from the last resourceVersion.</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long past <see cref="WatchTimeout"/> the cache waits for the server to end a watch before it gives
    /// up on the connection itself (a silent half-open connection would otherwise hang the watch for ever).</summary>
    public TimeSpan WatchGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one list call may take before it is abandoned and retried.</summary>
    public TimeSpan ListTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A watch that ends without error but also without a single event, sooner than this after it started,
    /// is treated as a failure and backed off (as client-go does), so a server that closes every watch at once cannot
    /// make the cache spin.</summary>
    public TimeSpan MinWatchDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A checked copy, so that changes to these options after the cache is built do not reach it.</summary>
    internal ResourceCacheOptions Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinBackoff, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, MinBackoff);
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchTimeout, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(WatchGrace, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ListTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinWatchDuration, TimeSpan.Zero);
        return (ResourceCacheOptions)MemberwiseClone(); // every option, including one added later
    }
}
