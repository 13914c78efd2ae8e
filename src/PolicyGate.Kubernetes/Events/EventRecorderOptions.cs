namespace PolicyGate.Kubernetes.Events;

/// <summary>How an <see cref="EventRecorder"/> identifies itself, and how hard it may press the API server. The
/// defaults follow client-go's event broadcaster where it has an equivalent.</summary>
public sealed class EventRecorderOptions
{
    /// <summary>The Event's <c>reportingController</c>: who wrote it, in <c>domain/name</c> form.</summary>
    public string ReportingController { get; set; } = "policygate.io/webhook";

    /// <summary>The Event's <c>reportingInstance</c>: which replica wrote it; normally the pod name, which is the
    /// host name inside a pod.</summary>
    public string ReportingInstance { get; set; } = Environment.MachineName;

    /// <summary>How many occurrences may wait for delivery; beyond it <see cref="EventRecorder.TryRecord"/> returns
    /// false and counts the occurrence as dropped.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Sustained API writes (creates and series patches) per second: the token bucket's refill rate.</summary>
    public double MaxWritesPerSecond { get; set; } = 50;

    /// <summary>How many API writes may go out back to back before <see cref="MaxWritesPerSecond"/> applies: the token
    /// bucket's size.</summary>
    public int WriteBurst { get; set; } = 100;

    /// <summary>How long after the last occurrence an identical one still joins the same Event's series; after it,
    /// the next occurrence creates a new Event.</summary>
    public TimeSpan SeriesWindow { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>The least time between two writes to one Event (its create, then each series patch): repeats in
    /// between are counted and sent together in one patch.</summary>
    public TimeSpan SeriesPatchInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The least time between two batches of the queue: when occurrences arrive less than this after the pump
    /// last took a batch, they wait out the rest of it and are folded together. Under a flood of denials the pump then
    /// wakes a few dozen times a second instead of once or twice per denial, each wake-up a hand-off between threads
    /// that the admission path's cores pay for; an occurrence after a quiet spell is taken at once. Zero takes every
    /// occurrence as it comes. Keep it well under <see cref="QueueCapacity"/> divided by the expected occurrence rate.</summary>
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Retries of one write after a 429, a 5xx, a timeout or a connection failure.</summary>
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>The first retry's delay; it doubles with each retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait before a retry, including a server's <c>Retry-After</c>.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one API call may take before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long disposal waits for queued occurrences and pending series counts to be delivered.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two log lines about dropped occurrences (the count is always exact).</summary>
    public TimeSpan DropLogInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A checked copy, so that changes to these options after the recorder is built do not reach it.</summary>
    internal EventRecorderOptions Validated()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ReportingController);
        ArgumentException.ThrowIfNullOrWhiteSpace(ReportingInstance);
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxWritesPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(WriteBurst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(SeriesWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(SeriesPatchInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetryAttempts);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryBaseDelay);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RequestTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(DrainTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(DropLogInterval, TimeSpan.Zero);
        return (EventRecorderOptions)MemberwiseClone(); // every option, including one added later
    }
}
