using System.Globalization;
using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Polly;

namespace PolicyGate.Kubernetes.Events;

/// <summary>
/// Records Kubernetes Events (<c>events.k8s.io/v1</c>) for the admission path without ever making it wait: callers
/// hand occurrences to <see cref="TryRecord"/>, which only queues them; a background pump (started by
/// <see cref="Start"/>) writes them to the API server.
/// </summary>
/// <remarks>
/// <para><b>Series.</b> Occurrences with the same namespace, regarding object (kind, namespace, name, uid), related
/// object, type, reason, action and note are one Event. The first creates it at once (<c>eventTime</c> = when it was
/// recorded). An identical occurrence within <see cref="EventRecorderOptions.SeriesWindow"/> of the previous one does
/// not create an object: it raises the Event's <c>series.count</c> (the total number of occurrences) and
/// <c>series.lastObservedTime</c>. Those are written with a JSON merge patch, at most one write per Event per
/// <see cref="EventRecorderOptions.SeriesPatchInterval"/> (counted from its create or previous patch): repeats in
/// between are coalesced into the next patch, which carries the latest count, as client-go's EventSeries does.
/// After the window, the next occurrence starts a new Event. If a patch finds the Event gone (404: expired or
/// deleted), a new Event is created carrying the series so far. Disposal sends pending patches without waiting
/// for the interval.</para>
/// <para><b>Rate.</b> Creates and patches share a token bucket (<see cref="EventRecorderOptions.MaxWritesPerSecond"/>,
/// <see cref="EventRecorderOptions.WriteBurst"/>) on the <see cref="TimeProvider"/>'s clock. Occurrences beyond it wait
/// in the queue; only when the queue is full are they refused (and counted as dropped).</para>
/// <para><b>Failures.</b> A write that meets 429 (after its <c>Retry-After</c>, capped by
/// <see cref="EventRecorderOptions.MaxRetryDelay"/>), a 5xx, a timeout or a connection failure is retried with
/// exponential back-off and jitter, up to <see cref="EventRecorderOptions.MaxRetryAttempts"/> times. A 409 on create
/// (name taken) is retried at once under a new name. Any other 4xx is not retried. A write given up on is counted in
/// <see cref="EventRecorderCounts.Failed"/> and logged with the API server's message; the series is forgotten, so the
/// next identical occurrence creates a new Event.</para>
/// <para><b>Folding.</b> Writes go out one at a time. Between writes, and while one waits (for the rate limit, an
/// answer or a retry's back-off, at most once per <see cref="EventRecorderOptions.BatchInterval"/>), the pump takes
/// everything queued: repeats are folded into their series at once, and occurrences that need a new Event join a
/// backlog of creates (in order, at most <see cref="EventRecorderOptions.QueueCapacity"/> of them). So repeats never
/// wait behind the creates of new subjects or behind a throttled write. A repeat that comes after its series' window
/// starts a new Event; the old one's last count still goes out in its own patch when that is due.</para>
/// <para><b>Batches.</b> The pump takes the queue in batches at most once per <see cref="EventRecorderOptions.BatchInterval"/>
/// (an occurrence after a quiet spell is taken at once), so that a flood of denials does not wake it for every one of
/// them: each wake-up is a thread-pool hand-off, paid on the cores that answer admission requests. Disposal ends the
/// wait.</para>
/// </remarks>
public sealed class EventRecorder : IAsyncDisposable
{
    private const int MaxNameAttempts = 3;

    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Occurrence> _queue;
    private readonly ResiliencePipeline _pipeline;
    private readonly TokenBucket _bucket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Lock _lifecycle = new();

    // Owned by the pump alone: no locks.
    private readonly Dictionary<SeriesKey, Series> _series = [];
    private readonly HashSet<Series> _pending = [];
    private readonly Queue<Series> _toCreate = [];
    private DateTimeOffset _nextSweep;
    private long _lastBatch = long.MinValue;

    private Task? _pump;
    private bool _disposed;
    private long _accepted;
    private long _created;
    private long _seriesUpdated;
    private long _dropped;
    private long _failed;
    private long _abandoned;
    private long _droppedAtLastLog;
    private long _lastDropLogTicks = long.MinValue;

    /// <summary>Builds a recorder; nothing is sent until <see cref="Start"/>.</summary>
    /// <param name="client">The API server client; its credentials need <c>create</c> and <c>patch</c> on
    /// <c>events.events.k8s.io</c> in the namespaces written to.</param>
    /// <param name="options">Identity, limits and retry settings; read once, here.</param>
    /// <param name="time">The clock for event times, the rate limit, series intervals and retry delays.</param>
    /// <param name="logger">Where drops, failures and retries are reported.</param>
    public EventRecorder(IKubernetes client, EventRecorderOptions options, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);

        _client = client;
        _options = options.Validated();
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<Occurrence>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _bucket = new TokenBucket(_options.MaxWritesPerSecond, _options.WriteBurst, time);
        _pipeline = BuildPipeline(_options, time, logger);
    }

    /// <summary>What the recorder has done so far; cheap enough to read on every metrics scrape.</summary>
    public EventRecorderCounts Counts => new(
        Interlocked.Read(ref _accepted), Interlocked.Read(ref _created), Interlocked.Read(ref _seriesUpdated),
        Interlocked.Read(ref _dropped), Interlocked.Read(ref _failed), Interlocked.Read(ref _abandoned));

    /// <summary>Occurrences waiting in the queue right now.</summary>
    public int QueueLength => _queue.Reader.Count;

    /// <summary>Starts the background pump that delivers the queue. Calling it again, or after disposal, does nothing.</summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            if (_pump is null && !_disposed)
            {
                _pump = Task.Run(() => PumpAsync(_stopping.Token));
            }
        }
    }

    /// <summary>Queues one occurrence for delivery. Never blocks and never throws: when the queue is full (or the
    /// recorder is disposed) it returns false and counts the occurrence in <see cref="EventRecorderCounts.Dropped"/>,
    /// logging drops at most once per <see cref="EventRecorderOptions.DropLogInterval"/>.</summary>
    public bool TryRecord(EventRequest request)
    {
        if (request is not null && _queue.Writer.TryWrite(new Occurrence(request, _time.GetUtcNow())))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        CountDrop();
        return false;
    }

    /// <summary>Stops accepting occurrences, then lets the pump deliver what is queued and send pending series
    /// patches for up to <see cref="EventRecorderOptions.DrainTimeout"/>; whatever is left then is counted in
    /// <see cref="EventRecorderCounts.Abandoned"/> and logged.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? pump;
        lock (_lifecycle)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            pump = _pump;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        if (pump is null)
        {
            AbandonRest();
        }
        else
        {
            using var deadline = new CancellationTokenSource(_options.DrainTimeout, _time);
            await using (deadline.Token.Register(() => _stopping.Cancel()).ConfigureAwait(false))
            {
                await pump.ConfigureAwait(false);
            }
        }

        _stopping.Dispose();
        _closing.Dispose();
        if (Interlocked.Read(ref _abandoned) is > 0 and var abandoned)
        {
            EventRecorderLog.Abandoned(_logger, abandoned);
        }
    }

    private static ResiliencePipeline BuildPipeline(EventRecorderOptions options, TimeProvider time, ILogger logger) =>
        ApiRetries.Pipeline(options.MaxRetryAttempts, options.RetryBaseDelay, options.MaxRetryDelay, options.RequestTimeout, time,
            (delay, attempt, error) => EventRecorderLog.Retrying(logger, delay, attempt, error));

    private static string MicroTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private void CountDrop()
    {
        var total = Interlocked.Increment(ref _dropped);
        var now = _time.GetUtcNow().UtcTicks;
        var last = Interlocked.Read(ref _lastDropLogTicks);
        if ((last != long.MinValue && now - last < _options.DropLogInterval.Ticks) ||
            Interlocked.CompareExchange(ref _lastDropLogTicks, now, last) != last)
        {
            return;
        }

        var sinceLast = total - Interlocked.Exchange(ref _droppedAtLastLog, total);
        try
        {
            EventRecorderLog.Dropped(_logger, sinceLast, total);
        }
#pragma warning disable CA1031 // TryRecord runs on the admission path and promises not to throw; the count stays exact.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (true)
            {
                await WaitForBatchAsync(reader, cancellationToken).ConfigureAwait(false);
                Absorb(reader);
                do
                {
                    while (_toCreate.TryDequeue(out var series))
                    {
                        await CreateAsync(series, recreate: false, cancellationToken).ConfigureAwait(false);
                        Absorb(reader);
                        await FlushAsync(drain: false, cancellationToken).ConfigureAwait(false);
                        Absorb(reader);
                    }

                    // A patch that waited may have taken new subjects meanwhile: they are created before the pump sleeps.
                    await FlushAsync(drain: false, cancellationToken).ConfigureAwait(false);
                }
                while (_toCreate.Count > 0);

                Sweep();
                if (!await WaitAsync(reader, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }

            await FlushAsync(drain: true, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The drain deadline passed: what is left is counted below.
        }
#pragma warning disable CA1031 // A bug here must not take the process down with it; what is left is counted below.
        catch (Exception e)
#pragma warning restore CA1031
        {
            EventRecorderLog.PumpFailed(_logger, e);
        }
        finally
        {
            _queue.Writer.TryComplete();
            AbandonRest();
        }
    }

    /// <summary>When occurrences are queued and the last batch was taken less than
    /// <see cref="EventRecorderOptions.BatchInterval"/> ago, waits out the rest of the interval (disposal ends the wait).</summary>
    private async Task WaitForBatchAsync(ChannelReader<Occurrence> reader, CancellationToken cancellationToken)
    {
        if (!reader.TryPeek(out _))
        {
            return; // a due series patch woke the pump, not the queue
        }

        if (_lastBatch != long.MinValue && !_closing.IsCancellationRequested &&
            _options.BatchInterval - _time.GetElapsedTime(_lastBatch) is { Ticks: > 0 } rest)
        {
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closing.Token);
            try
            {
                await Task.Delay(rest, _time, wake.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Disposal began: deliver what is queued now.
            }
        }

        _lastBatch = _time.GetTimestamp();
    }

    /// <summary>Waits for the next occurrence or the next due series patch; false once the queue is closed and empty.</summary>
    private async Task<bool> WaitAsync(ChannelReader<Occurrence> reader, CancellationToken cancellationToken)
    {
        DateTimeOffset? due = null;
        foreach (var series in _pending)
        {
            var at = series.LastWrite + _options.SeriesPatchInterval;
            due = due is null || at < due ? at : due;
        }

        if (due is null)
        {
            return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }

        var delay = due.Value - _time.GetUtcNow();
        if (delay <= TimeSpan.Zero)
        {
            return true;
        }

        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = reader.WaitToReadAsync(wake.Token).AsTask();
        var timer = Task.Delay(delay, _time, wake.Token);
        var first = await Task.WhenAny(read, timer).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first != read || await read.ConfigureAwait(false);
    }

    /// <summary>
    /// Takes what is queued without writing anything: a repeat within its series' window is counted into the series
    /// (and, once the Event exists, marked for the next patch); anything else becomes a new series in the backlog of
    /// creates. Stops, leaving the rest queued, when the backlog holds <see cref="EventRecorderOptions.QueueCapacity"/>.
    /// </summary>
    private void Absorb(ChannelReader<Occurrence> reader)
    {
        while (reader.TryPeek(out var occurrence))
        {
            var key = SeriesKey.Of(occurrence.Request);
            if (_series.TryGetValue(key, out var series) && occurrence.At - series.LastObserved <= _options.SeriesWindow)
            {
                series.Count++;
                series.LastObserved = occurrence.At > series.LastObserved ? occurrence.At : series.LastObserved;
                if (series.Name is not null)
                {
                    _pending.Add(series);
                }
            }
            else if (_toCreate.Count < _options.QueueCapacity)
            {
                series = new Series(occurrence.Request, occurrence.At);
                _series[key] = series; // a series past its window stays in _pending until its last patch
                _toCreate.Enqueue(series);
            }
            else
            {
                return;
            }

            reader.TryRead(out _);
        }
    }

    private async Task FlushAsync(bool drain, CancellationToken cancellationToken)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var series in _pending.Where(s => drain || s.LastWrite + _options.SeriesPatchInterval <= now).ToList())
        {
            await PatchAsync(series, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets series nobody has seen for a whole window (so the map does not grow without bound).</summary>
    private void Sweep()
    {
        var now = _time.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        _nextSweep = now + _options.SeriesPatchInterval;
        foreach (var (key, series) in _series.Where(p => !_pending.Contains(p.Value) && now - p.Value.LastObserved > _options.SeriesWindow).ToList())
        {
            _series.Remove(key);
        }
    }

    /// <summary>
    /// Creates the series' Event. A new series is created as its first occurrence; repeats folded in while it waited
    /// go out in its first patch, one interval later, as later repeats do. An Event created again (the old one was
    /// gone) carries the series so far.
    /// </summary>
    private async Task CreateAsync(Series series, bool recreate, CancellationToken cancellationToken)
    {
        var request = series.Request;
        var count = recreate ? series.Count : 1;
        series.LastWrite = _time.GetUtcNow();
        var body = new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { NamespaceProperty = request.Namespace },
            EventTime = series.FirstObserved.UtcDateTime,
            ReportingController = _options.ReportingController,
            ReportingInstance = _options.ReportingInstance,
            Type = request.Type,
            Reason = request.Reason,
            Action = request.Action,
            Note = EventFields.TruncateNote(request.Note),
            Regarding = ToReference(request.Regarding),
            Related = request.Related is { } related ? ToReference(related) : null,
            Series = count > 1
                ? new Eventsv1EventSeries { Count = count, LastObservedTime = series.LastObserved.UtcDateTime }
                : null,
        };

        var (name, error) = await WhileAbsorbingAsync(SendCreateAsync(body, request.Regarding.Name, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (name is null)
        {
            GiveUp(series, "create", series.Count, error!);
            return;
        }

        series.Name = name;
        series.Written = count;
        if (series.Count > count)
        {
            _pending.Add(series);
        }

        Interlocked.Increment(ref _created);
    }

    /// <summary>The create call alone (it touches no series: the pump folds occurrences meanwhile): the Event's name,
    /// or why it was given up.</summary>
    private async Task<(string? Name, Exception? Error)> SendCreateAsync(Eventsv1Event body, string regardingName, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var name = EventFields.NewName(regardingName);
            body.Metadata.Name = name;
            try
            {
                await _bucket.AcquireAsync(cancellationToken).ConfigureAwait(false);
                await _pipeline.ExecuteAsync(
                    async token => await _client.EventsV1.CreateNamespacedEventAsync(body, body.Metadata.NamespaceProperty, cancellationToken: token)
                        .ConfigureAwait(false),
                    cancellationToken).ConfigureAwait(false);
                return (name, null);
            }
            catch (Exception e) when (ApiErrors.StatusOf(e) == HttpStatusCode.Conflict && attempt < MaxNameAttempts)
            {
                // Name taken: draw another.
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                return (null, e);
            }
        }
    }

    private async Task PatchAsync(Series series, CancellationToken cancellationToken)
    {
        var count = series.Count;
        var patch = new V1Patch(
            $$$"""{"series":{"count":{{{count}}},"lastObservedTime":"{{{MicroTime(series.LastObserved)}}}"}}""",
            V1Patch.PatchType.MergePatch);
        series.LastWrite = _time.GetUtcNow();
        var error = await WhileAbsorbingAsync(SendPatchAsync(patch, series.Name!, series.Request.Namespace, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        if (error is null)
        {
            series.Written = count;
            Interlocked.Increment(ref _seriesUpdated);
            if (series.Written == series.Count)
            {
                _pending.Remove(series);
            }
        }
        else if (ApiErrors.StatusOf(error) == HttpStatusCode.NotFound)
        {
            EventRecorderLog.Recreating(_logger, series.Name!, series.Request.Namespace);
            _pending.Remove(series);
            series.Name = null;
            await CreateAsync(series, recreate: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            GiveUp(series, "series patch", count - series.Written, error);
        }
    }

    /// <summary>The patch call alone (it touches no series): null once written, else why it was given up.</summary>
    private async Task<Exception?> SendPatchAsync(V1Patch patch, string name, string ns, CancellationToken cancellationToken)
    {
        try
        {
            await _bucket.AcquireAsync(cancellationToken).ConfigureAwait(false);
            await _pipeline.ExecuteAsync(
                async token => await _client.EventsV1.PatchNamespacedEventAsync(patch, name, ns, cancellationToken: token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return e;
        }
    }

    /// <summary>
    /// Waits for a write while folding what arrives meanwhile (<see cref="Absorb"/>), at most once per
    /// <see cref="EventRecorderOptions.BatchInterval"/>: a write that waits for the rate limit, a slow answer or a
    /// retry's back-off does not leave the queue to fill with repeats. Only the pump's own flow touches the series;
    /// the write touches none.
    /// </summary>
    private async Task<T> WhileAbsorbingAsync<T>(Task<T> write, CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (!write.IsCompleted && _toCreate.Count < _options.QueueCapacity)
        {
            using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (!reader.TryPeek(out _))
            {
                var arrival = reader.WaitToReadAsync(wake.Token).AsTask();
                await Task.WhenAny(write, arrival).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
                if (arrival.IsCompletedSuccessfully && !arrival.Result)
                {
                    break; // the queue is closed and empty: nothing more will arrive
                }

                continue;
            }

            if (_options.BatchInterval > TimeSpan.Zero)
            {
                await Task.WhenAny(write, Task.Delay(_options.BatchInterval, _time, wake.Token)).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
            }

            Absorb(reader);
        }

        return await write.ConfigureAwait(false);
    }

    private void GiveUp(Series series, string write, long occurrences, Exception error)
    {
        _pending.Remove(series);
        if (_series.TryGetValue(SeriesKey.Of(series.Request), out var current) && current == series)
        {
            _series.Remove(SeriesKey.Of(series.Request));
        }

        var regarding = series.Request.Regarding;
        EventRecorderLog.Failed(_logger, write, series.Request.Reason, regarding.Kind, regarding.Namespace, regarding.Name,
            occurrences, ApiErrors.Describe(error));

        // Counted once logged, so whoever sees the count (a test, the metrics) also finds the line.
        Interlocked.Increment(ref _failed);
    }

    /// <summary>Counts what can no longer be delivered: queued occurrences and series counts not yet written.</summary>
    private void AbandonRest()
    {
        long abandoned = 0;
        while (_queue.Reader.TryRead(out _))
        {
            abandoned++;
        }

        foreach (var series in _series.Values.Concat(_pending).Concat(_toCreate).Distinct())
        {
            abandoned += series.Count - series.Written;
        }

        _series.Clear();
        _pending.Clear();
        _toCreate.Clear();
        Interlocked.Add(ref _abandoned, abandoned);
    }

    private static V1ObjectReference ToReference(EventReference reference) => new()
    {
        ApiVersion = reference.ApiVersion,
        Kind = reference.Kind,
        NamespaceProperty = reference.Namespace,
        Name = reference.Name,
        Uid = reference.Uid,
    };

    private readonly record struct Occurrence(EventRequest Request, DateTimeOffset At);

    /// <summary>What makes two occurrences the same Event (the regarding object's API version is left out, as one
    /// object is the same whichever version it is read at).</summary>
    private readonly record struct SeriesKey(
        string Namespace, string Kind, string? RegardingNamespace, string Name, string? Uid, EventReference? Related,
        string Type, string Reason, string Action, string Note)
    {
        public static SeriesKey Of(EventRequest r) => new(
            r.Namespace, r.Regarding.Kind, r.Regarding.Namespace, r.Regarding.Name, r.Regarding.Uid, r.Related,
            r.Type, r.Reason, r.Action, r.Note);
    }

    /// <summary>One Event and the occurrences folded into it.</summary>
    private sealed class Series(EventRequest request, DateTimeOffset firstObserved)
    {
        public EventRequest Request { get; } = request;

        public DateTimeOffset FirstObserved { get; } = firstObserved;

        public DateTimeOffset LastObserved { get; set; } = firstObserved;

        /// <summary>The Event's name once created; null before (or after it was found gone).</summary>
        public string? Name { get; set; }

        /// <summary>Occurrences so far.</summary>
        public int Count { get; set; } = 1;

        /// <summary>Occurrences the API server has been told of.</summary>
        public int Written { get; set; }

        /// <summary>When the last create or patch of this Event was sent.</summary>
        public DateTimeOffset LastWrite { get; set; }
    }
}
