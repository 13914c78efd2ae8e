using System.Globalization;
using Microsoft.Extensions.Logging;
using PolicyGate.Kubernetes.Events;

namespace PolicyGate.Kubernetes.Tests.Events;

public sealed class EventRecorderTests : IAsyncLifetime, IDisposable
{
    private static readonly EventReference Pod = new("v1", "Pod", "shop", "web-1", "0f3c9a7e-1111-2222-3333-444455556666");
    private static readonly EventReference Policy = new("policygate.io/v1", "AdmissionPolicy", "shop", "no-latest-tag", null);

    private readonly EventsApiStub _api = new();
    private readonly ListLogger _logger = new();
    private readonly List<EventRecorder> _recorders = [];

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Stops every recorder, failing rather than hanging if one will not stop (xUnit then calls
    /// <see cref="Dispose"/>, which stops the API server).</summary>
    public async Task DisposeAsync()
    {
        foreach (var recorder in _recorders)
        {
            await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Record_PostsAnEventsV1EventWithEveryField()
    {
        _api.OnCreate(EventsApiStub.Created);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { ReportingInstance = "policygate-7d9f-abcde" });
        recorder.Start();

        Assert.True(recorder.TryRecord(Denied("image tag latest is not allowed")));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the Event to be created");
        var post = Assert.Single(_api.Requests("POST"));
        Assert.Equal(EventsApiStub.EventsPath, post.RequestMessage.Path);
        var body = EventsApiStub.Body(post);
        Assert.Equal("events.k8s.io/v1", body.GetProperty("apiVersion").GetString());
        Assert.Equal("Event", body.GetProperty("kind").GetString());
        Assert.Equal("shop", body.GetProperty("metadata").GetProperty("namespace").GetString());
        Assert.Matches("^web-1\\.[0-9a-f]{16}$", body.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal("Warning", body.GetProperty("type").GetString());
        Assert.Equal("PolicyDenied", body.GetProperty("reason").GetString());
        Assert.Equal("Admit", body.GetProperty("action").GetString());
        Assert.Equal("image tag latest is not allowed", body.GetProperty("note").GetString());
        Assert.Equal("policygate.io/webhook", body.GetProperty("reportingController").GetString());
        Assert.Equal("policygate-7d9f-abcde", body.GetProperty("reportingInstance").GetString());
        Assert.Equal(time.GetUtcNow(), DateTimeOffset.Parse(body.GetProperty("eventTime").GetString()!, CultureInfo.InvariantCulture));
        var regarding = body.GetProperty("regarding");
        Assert.Equal("v1", regarding.GetProperty("apiVersion").GetString());
        Assert.Equal("Pod", regarding.GetProperty("kind").GetString());
        Assert.Equal("shop", regarding.GetProperty("namespace").GetString());
        Assert.Equal("web-1", regarding.GetProperty("name").GetString());
        Assert.Equal(Pod.Uid, regarding.GetProperty("uid").GetString());
        var related = body.GetProperty("related");
        Assert.Equal("AdmissionPolicy", related.GetProperty("kind").GetString());
        Assert.Equal("no-latest-tag", related.GetProperty("name").GetString());
        Assert.False(body.TryGetProperty("series", out _));
    }

    [Fact]
    public async Task Record_LongNote_IsCutToTheApiServersLimit()
    {
        _api.OnCreate(EventsApiStub.Created);
        var recorder = NewRecorder(new WatchedTimeProvider());
        recorder.Start();

        recorder.TryRecord(Denied(new string('x', 5000)));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the Event to be created");
        Assert.Equal(1024, EventsApiStub.Body(Assert.Single(_api.Requests("POST"))).GetProperty("note").GetString()!.Length);
    }

    [Fact]
    public async Task Repeats_BecomeOneEvent_AndOneMergePatchPerIntervalWithTheTotalCount()
    {
        _api.OnCreate(EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Ok);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time);
        var start = time.GetUtcNow();
        recorder.TryRecord(Denied("no"));
        time.Advance(TimeSpan.FromSeconds(1));
        recorder.TryRecord(Denied("no"));
        time.Advance(TimeSpan.FromSeconds(1));
        recorder.TryRecord(Denied("no"));
        recorder.Start();

        // The pump has created the Event and is waiting out the patch interval (30 s from the create).
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(30)), "the series patch to be scheduled");
        Assert.Single(_api.Requests("POST"));
        Assert.Empty(_api.Requests("PATCH"));

        time.Advance(TimeSpan.FromSeconds(30));

        await Eventually.TrueAsync(() => recorder.Counts.SeriesUpdated == 1, "the series patch");
        var created = EventsApiStub.Body(Assert.Single(_api.Requests("POST")));
        var patch = Assert.Single(_api.Requests("PATCH"));
        Assert.Equal($"{EventsApiStub.EventsPath}/{created.GetProperty("metadata").GetProperty("name").GetString()}", patch.RequestMessage.Path);
        Assert.StartsWith("application/merge-patch+json", patch.RequestMessage.Headers!["Content-Type"].First(), StringComparison.Ordinal);
        var series = EventsApiStub.Body(patch).GetProperty("series");
        Assert.Equal(3, series.GetProperty("count").GetInt32());
        Assert.Equal(start.AddSeconds(2), DateTimeOffset.Parse(series.GetProperty("lastObservedTime").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal(new EventRecorderCounts(Accepted: 3, Created: 1, SeriesUpdated: 1, Dropped: 0, Failed: 0, Abandoned: 0), recorder.Counts);
    }

    [Fact]
    public async Task Repeat_AfterTheSeriesWindow_CreatesANewEvent()
    {
        _api.OnCreate(EventsApiStub.Created);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { SeriesWindow = TimeSpan.FromMinutes(1) });
        recorder.Start();

        recorder.TryRecord(Denied("no"));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the first Event");
        time.Advance(TimeSpan.FromMinutes(2));
        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 2, "the second Event");
        Assert.Equal(2, _api.Requests("POST").Count);
        Assert.Empty(_api.Requests("PATCH"));
    }

    [Fact]
    public async Task SeriesPatch_WhenTheEventIsGone_CreatesANewEventCarryingTheCount()
    {
        _api.OnCreate(EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Error(404, "events.events.k8s.io \\\"web-1.x\\\" not found"));
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time);
        recorder.TryRecord(Denied("no"));
        recorder.TryRecord(Denied("no"));
        recorder.Start();
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(30)), "the series patch to be scheduled");

        time.Advance(TimeSpan.FromSeconds(30));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 2, "the Event to be created again");
        var posts = _api.Requests("POST");
        Assert.Equal(2, posts.Count);
        Assert.Equal(2, EventsApiStub.Body(posts[1]).GetProperty("series").GetProperty("count").GetInt32());
        Assert.Single(_api.Requests("PATCH"));
        Assert.Equal(0, recorder.Counts.Failed);
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenDeliversOnce()
    {
        _api.OnCreate(EventsApiStub.Error(429, "too many requests", retryAfter: "7"), EventsApiStub.Created);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time);
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        // Polly's back-off would start at 200 ms; the recorder waits the 7 s the server asked for instead.
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(7)), "a wait of Retry-After");
        Assert.Single(_api.Requests("POST"));

        time.Advance(TimeSpan.FromSeconds(7));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the retried create");
        Assert.Equal(2, _api.Requests("POST").Count);
        Assert.Equal(0, recorder.Counts.Failed);
    }

    [Fact]
    public async Task ServerErrors_AreRetried_ThenDelivered()
    {
        _api.OnCreate(EventsApiStub.Error(500, "etcd leader changed"), EventsApiStub.Error(503, "unavailable"), EventsApiStub.Created);
        var recorder = NewRecorder(TimeProvider.System, Fast());
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the create to get through");
        Assert.Equal(3, _api.Requests("POST").Count);
        Assert.Equal(0, recorder.Counts.Failed);
    }

    [Fact]
    public async Task ServerErrors_BeyondTheLastRetry_CountAsFailed()
    {
        _api.OnCreate(EventsApiStub.Error(500, "still down"));
        var recorder = NewRecorder(TimeProvider.System, Fast(maxRetries: 2));
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Failed == 1, "the recorder to give up");
        Assert.Equal(3, _api.Requests("POST").Count);
        Assert.Equal(0, recorder.Counts.Created);
    }

    [Fact]
    public async Task BadRequest_IsNotRetried_CountsAsFailed_AndLogsTheApiServersMessage()
    {
        _api.OnCreate(EventsApiStub.Error(422, "Event.events.k8s.io is invalid: type: Unsupported value"), EventsApiStub.Created);
        var recorder = NewRecorder(TimeProvider.System, Fast());
        recorder.Start();

        recorder.TryRecord(Denied("no") with { Type = "Fatal" });

        await Eventually.TrueAsync(() => recorder.Counts.Failed == 1, "the create to fail");
        Assert.Single(_api.Requests("POST"));
        Assert.Equal(0, recorder.Counts.Created);
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Warning &&
            l.Message.Contains("422 Event.events.k8s.io is invalid: type: Unsupported value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unauthorized_IsNotRetried_CountsAsFailed_AndLogsTheApiServersMessage()
    {
        _api.OnCreate(EventsApiStub.Error(401, "Unauthorized"), EventsApiStub.Created);
        var recorder = NewRecorder(TimeProvider.System, Fast());
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Failed == 1, "the create to fail");
        Assert.Single(_api.Requests("POST"));
        Assert.Contains(_logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("401 Unauthorized", StringComparison.Ordinal));

        // The recorder is not stuck: the next Event goes out.
        recorder.TryRecord(Denied("again") with { Regarding = Pod with { Name = "web-2" } });
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the next create");
    }

    [Fact]
    public async Task SlowAnswer_BeyondTheRequestTimeout_IsRetried_ThenDelivered()
    {
        // The loopback fake API server, whose delay applies to one request only (WireMock's scenario would hold every retry).
        await using var server = Watch.FakeApiServer.Start();
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = server.Host });
        server.DelayNext("POST", EventsApiStub.EventsPath, TimeSpan.FromSeconds(5));
        var options = Fast();
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        var recorder = new EventRecorder(client, options, TimeProvider.System, _logger);
        _recorders.Add(recorder);
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the retried create");
        Assert.Equal(2, server.Requests.Count(r => r.Method == "POST"));
        Assert.Equal(0, recorder.Counts.Failed);
        Assert.Single(server.Requests.Where(r => r.Method == "POST").Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task NameClash_IsRetriedUnderANewName()
    {
        _api.OnCreate(EventsApiStub.Error(409, "already exists"), EventsApiStub.Created);
        var recorder = NewRecorder(TimeProvider.System, Fast());
        recorder.Start();

        recorder.TryRecord(Denied("no"));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the create under a new name");
        var names = _api.Requests("POST").Select(p => EventsApiStub.Body(p).GetProperty("metadata").GetProperty("name").GetString()).ToList();
        Assert.Equal(2, names.Count);
        Assert.NotEqual(names[0], names[1]);
    }

    [Fact]
    public async Task RateLimit_HoldsWritesBeyondTheBurstInTheQueue()
    {
        _api.OnCreate(EventsApiStub.Created);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { MaxWritesPerSecond = 1, WriteBurst = 1 });
        recorder.TryRecord(Denied("first"));
        recorder.TryRecord(Denied("second"));
        recorder.Start();

        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(1)), "the recorder to wait for a token");
        Assert.Single(_api.Requests("POST"));

        time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 2, "the second create");
        Assert.Equal(0, recorder.Counts.Dropped);
    }

    [Fact]
    public async Task Occurrences_SoonAfterABatch_WaitOutTheBatchInterval_ThenAreTakenTogether()
    {
        _api.OnCreate(EventsApiStub.Created);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { BatchInterval = TimeSpan.FromMilliseconds(50) });
        recorder.Start();
        recorder.TryRecord(Denied("first"));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the first occurrence, taken at once");

        time.Advance(TimeSpan.FromMilliseconds(10));
        recorder.TryRecord(Denied("second"));
        recorder.TryRecord(Denied("third"));

        // 10 ms after the first batch: the pump waits out the other 40 ms before it takes the next.
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromMilliseconds(40)), "the pump to wait for the batch interval");
        Assert.Single(_api.Requests("POST"));
        Assert.Equal(2, recorder.QueueLength);

        time.Advance(TimeSpan.FromMilliseconds(40));

        await Eventually.TrueAsync(() => recorder.Counts.Created == 3, "the batch of two");
    }

    [Fact]
    public async Task Repeats_ArriveWhileNewEventsWaitToBeCreated_AreFoldedAtOnce_SoTheQueueDoesNotFill()
    {
        // The start-up burst: denials of a few subjects repeat while their Events are still being created. Writes are
        // held back by the rate limit (1 a second), the queue holds 3.
        _api.OnCreate(EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Ok);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions
        {
            QueueCapacity = 3, MaxWritesPerSecond = 1, WriteBurst = 1, BatchInterval = TimeSpan.FromMilliseconds(50),
        });
        recorder.Start();
        recorder.TryRecord(Denied("a"));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the Event of a");

        // Two new subjects and a repeat, taken together once the batch interval is over.
        Assert.True(recorder.TryRecord(Denied("b")));
        Assert.True(recorder.TryRecord(Denied("c")));
        Assert.True(recorder.TryRecord(Denied("a")));
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromMilliseconds(50)), "the pump to wait out the batch interval");
        time.Advance(TimeSpan.FromMilliseconds(50));

        // b's create waits for a token; c waits behind it, but nothing waits in the queue: a's repeat is counted.
        await Eventually.TrueAsync(() => WaitingForToken(time) == 1, "b's create to wait for a token");
        Assert.Equal(0, recorder.QueueLength);

        // So the queue has room for every repeat that comes meanwhile.
        Assert.True(recorder.TryRecord(Denied("a")));
        Assert.True(recorder.TryRecord(Denied("a")));
        Assert.True(recorder.TryRecord(Denied("b")));
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 2 && WaitingForToken(time) == 2, "b's Event, then c's create to wait");
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 3, "c's Event");

        // The repeats go out in one patch per Event, 30 s after its create (the second one a token later).
        await Eventually.TrueAsync(() => time.TimersSet.Any(t => t > TimeSpan.FromSeconds(27) && t < TimeSpan.FromSeconds(29)), "the patch of a to be scheduled");
        time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => recorder.Counts.SeriesUpdated == 1 && WaitingForToken(time) == 3, "a's patch, then b's to wait for a token");
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => recorder.Counts.SeriesUpdated == 2, "b's patch");
        var counts = _api.Requests("PATCH").Select(p => EventsApiStub.Body(p).GetProperty("series").GetProperty("count").GetInt32()).Order();
        Assert.Equal([2, 4], counts);
        Assert.All(_api.Requests("POST"), post => Assert.False(EventsApiStub.Body(post).TryGetProperty("series", out _)));
        Assert.Equal(new EventRecorderCounts(Accepted: 7, Created: 3, SeriesUpdated: 2, Dropped: 0, Failed: 0, Abandoned: 0), recorder.Counts);

        // Waits for a token of the 1-a-second bucket (between 0.9 and 1 s; the request timeouts are 10 s).
        static int WaitingForToken(WatchedTimeProvider time) =>
            time.TimersSet.Count(t => t > TimeSpan.FromMilliseconds(900) && t <= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Repeats_WhileAThrottledCreateWaitsOutRetryAfter_AreFoldedEveryBatchInterval_NotDropped()
    {
        // The API server throttles the create for 7 s; denials of the same subject keep coming, more than the queue holds.
        _api.OnCreate(EventsApiStub.Error(429, "too many requests", retryAfter: "7"), EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Ok);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { QueueCapacity = 2, BatchInterval = TimeSpan.FromMilliseconds(50) });
        recorder.Start();
        recorder.TryRecord(Denied("no"));
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(7)), "a wait of Retry-After");

        // While the create waits, each batch interval the pump takes what came: the queue (2) never overflows.
        for (var batch = 1; batch <= 3; batch++)
        {
            Assert.True(recorder.TryRecord(Denied("no")), $"batch {batch}, first repeat");
            Assert.True(recorder.TryRecord(Denied("no")), $"batch {batch}, second repeat");
            await Eventually.TrueAsync(() => BatchWaits(time) == batch, $"batch {batch}: the pump to wait out the batch interval");
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Eventually.TrueAsync(() => recorder.QueueLength == 0, $"batch {batch} to be folded");
        }

        time.Advance(TimeSpan.FromSeconds(7));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the retried create");

        // One Event; its first patch, 30 s after the create was sent, carries all 7 occurrences.
        await Eventually.TrueAsync(() => time.TimersSet.Any(t => t > TimeSpan.FromSeconds(20) && t < TimeSpan.FromSeconds(30)), "the series patch to be scheduled");
        time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => recorder.Counts.SeriesUpdated == 1, "the series patch");
        Assert.Equal(7, EventsApiStub.Body(Assert.Single(_api.Requests("PATCH"))).GetProperty("series").GetProperty("count").GetInt32());
        Assert.Equal(new EventRecorderCounts(Accepted: 7, Created: 1, SeriesUpdated: 1, Dropped: 0, Failed: 0, Abandoned: 0), recorder.Counts);

        static int BatchWaits(WatchedTimeProvider time) => time.TimersSet.Count(t => t == TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task NewSubject_ArrivingWhileASeriesPatchWaits_IsCreatedOnceThePatchIsDone_WithoutAnotherOccurrence()
    {
        _api.OnCreate(EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Error(429, "too many requests", retryAfter: "7"), EventsApiStub.Ok);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time, new EventRecorderOptions { BatchInterval = TimeSpan.FromMilliseconds(50) });
        recorder.Start();
        recorder.TryRecord(Denied("a"));
        await Eventually.TrueAsync(() => recorder.Counts.Created == 1, "the Event of a");
        recorder.TryRecord(Denied("a"));
        await Eventually.TrueAsync(() => BatchWaits(time) == 1, "the repeat to wait out the batch interval");
        time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.TrueAsync(() => recorder.QueueLength == 0 && time.TimersSet.Any(t => t > TimeSpan.FromSeconds(29) && t < TimeSpan.FromSeconds(30)), "a's patch to be scheduled");

        // a's patch is throttled for 7 s; meanwhile a new subject is denied once, and nothing else happens.
        time.Advance(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(7)), "a's patch to wait out Retry-After");
        recorder.TryRecord(Denied("b"));
        await Eventually.TrueAsync(() => BatchWaits(time) == 2, "b to wait out the batch interval");
        time.Advance(TimeSpan.FromMilliseconds(50));
        await Eventually.TrueAsync(() => recorder.QueueLength == 0, "b to be taken while the patch waits");
        time.Advance(TimeSpan.FromSeconds(7));

        await Eventually.TrueAsync(() => recorder.Counts.SeriesUpdated == 1 && recorder.Counts.Created == 2, "a's patch, then b's Event");
        Assert.Equal("b", EventsApiStub.Body(_api.Requests("POST")[1]).GetProperty("note").GetString());

        static int BatchWaits(WatchedTimeProvider time) => time.TimersSet.Count(t => t == TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task QueueFull_TryRecordReturnsFalse_CountsAndLogsTheDrop()
    {
        var recorder = NewRecorder(new WatchedTimeProvider(), new EventRecorderOptions { QueueCapacity = 2 });

        Assert.True(recorder.TryRecord(Denied("1")));
        Assert.True(recorder.TryRecord(Denied("2")));
        Assert.False(recorder.TryRecord(Denied("3")));
        Assert.False(recorder.TryRecord(Denied("4")));

        Assert.Equal(2, recorder.Counts.Dropped);
        Assert.Equal(2, recorder.QueueLength);
        var dropLog = Assert.Single(_logger.Lines, l => l.Message.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, dropLog.Level);

        // Never started: what was queued is abandoned, and counted.
        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, recorder.Counts.Abandoned);
        Assert.Empty(_api.Requests("POST"));
    }

    [Fact]
    public async Task Dispose_SendsThePendingSeriesCount_ThenStopsThePump()
    {
        _api.OnCreate(EventsApiStub.Created);
        _api.OnPatch(EventsApiStub.Ok);
        var time = new WatchedTimeProvider();
        var recorder = NewRecorder(time);
        recorder.TryRecord(Denied("no"));
        recorder.TryRecord(Denied("no"));
        recorder.Start();
        await Eventually.TrueAsync(() => time.TimersSet.Contains(TimeSpan.FromSeconds(30)), "the series patch to be scheduled");

        await recorder.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var patch = Assert.Single(_api.Requests("PATCH"));
        Assert.Equal(2, EventsApiStub.Body(patch).GetProperty("series").GetProperty("count").GetInt32());
        Assert.False(recorder.TryRecord(Denied("no")));
        Assert.Equal(new EventRecorderCounts(Accepted: 2, Created: 1, SeriesUpdated: 1, Dropped: 1, Failed: 0, Abandoned: 0), recorder.Counts);
        Assert.Single(_api.Requests("POST"));
    }

    private static EventRequest Denied(string note) =>
        new("shop", Pod, Policy, EventTypes.Warning, "PolicyDenied", "Admit", note);

    private static EventRecorderOptions Fast(int maxRetries = 5) => new()
    {
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryAttempts = maxRetries,
    };

    private EventRecorder NewRecorder(TimeProvider time, EventRecorderOptions? options = null)
    {
        var recorder = new EventRecorder(_api.Client, options ?? new EventRecorderOptions(), time, _logger);
        _recorders.Add(recorder);
        return recorder;
    }
}
