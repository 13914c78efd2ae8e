using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Tests.Observability;

public class JsonLinesLoggerProviderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 30, 0, TimeSpan.Zero);

    private static DecisionLogEntry Entry(string uid, string? ns, string name, double latencyMs, IReadOnlyList<PolicyDecision> listed, int unlisted) =>
        new(listed.Any(d => !d.Allowed) ? "denied" : "allowed", uid, "CREATE", "Pod", ns, name, latencyMs, listed, unlisted);

    private static PolicyDecision Denied(string policy) =>
        new(policy, PolicyMode.Protect, DecisionOutcome.Denied, false, "no", [], null, null);

    private static PolicyDecision Decision(string policy, DecisionOutcome outcome) =>
        new(policy, PolicyMode.Protect, outcome, true, null, [], null, null);

    [Fact]
    public void Decision_IsOneJsonLine_WithTypedStateAndNoTemplate()
    {
        var output = new MemoryStream();
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            var logger = provider.CreateLogger(typeof(AdmissionHandler).FullName!);
            Log.Decision(logger, LogLevel.Information, Entry("uid-1", "shop", "web", 0.25, [Denied("required-labels"), Decision("limits", DecisionOutcome.Mutated)], unlisted: 2));
        }

        var line = Assert.Single(Lines(output));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("2026-11-24T10:30:00Z", root.GetProperty("Timestamp").GetString());
        Assert.Equal(1010, root.GetProperty("EventId").GetInt32());
        Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
        Assert.Equal("PolicyGate.Server.Admission.AdmissionHandler", root.GetProperty("Category").GetString());
        Assert.Equal("Request uid-1 CREATE Pod shop/web denied in 0.250 ms: required-labels denied in 0.000 ms; limits mutated in 0.000 ms; 2 more allowed", root.GetProperty("Message").GetString());
        var state = root.GetProperty("State");
        Assert.Equal("denied", state.GetProperty("Outcome").GetString());
        Assert.Equal("shop", state.GetProperty("Namespace").GetString());
        Assert.Equal(0.25, state.GetProperty("LatencyMs").GetDouble());
        var decisions = state.GetProperty("Decisions").EnumerateArray().ToList();
        Assert.Equal(["required-labels", "limits"], decisions.Select(d => d.GetProperty("PolicyName").GetString()));
        Assert.Equal(["denied", "mutated"], decisions.Select(d => d.GetProperty("Decision").GetString()));
        Assert.Equal(2, state.GetProperty("OtherAllowed").GetInt32());
        Assert.False(state.TryGetProperty("{OriginalFormat}", out _));
    }

    [Fact]
    public void Decision_ThroughAnotherProvider_SameMessageAndFields()
    {
        var captured = new CapturingLogger();

        Log.Decision(captured, LogLevel.Information, Entry("uid-1", null, "web", 0.25, [Denied("required-labels")], unlisted: 0));

        Assert.Equal("Request uid-1 CREATE Pod /web denied in 0.250 ms: required-labels denied in 0.000 ms", captured.Message);
        Assert.Equal(1010, captured.EventId.Id);
        Assert.Contains(new KeyValuePair<string, object?>("LatencyMs", 0.25), captured.State!);
        Assert.Contains(new KeyValuePair<string, object?>("Namespace", null), captured.State!);
        Assert.Contains(new KeyValuePair<string, object?>("Decisions", "required-labels denied in 0.000 ms"), captured.State!);
        Assert.Contains(new KeyValuePair<string, object?>("{OriginalFormat}", "Request {AdmissionUid} {Operation} {Kind} {Namespace}/{Name} {Outcome} in {LatencyMs:F3} ms: {Decisions}"), captured.State!);
    }

    [Fact]
    public void Decision_MessageLongerThanTheLineBuffer_IsWrittenWhole()
    {
        var output = new MemoryStream();
        var name = new string('n', 3000);
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            Log.Decision(provider.CreateLogger("test"), LogLevel.Information, Entry("uid-1", "ns", name, 1, [], unlisted: 0));
        }

        using var json = JsonDocument.Parse(Assert.Single(Lines(output)));
        Assert.EndsWith($"ns/{name} allowed in 1.000 ms: no policy matched", json.RootElement.GetProperty("Message").GetString(), StringComparison.Ordinal);
        Assert.Equal(name, json.RootElement.GetProperty("State").GetProperty("Name").GetString());
    }

    [Fact]
    public void Exception_IsWrittenWithItsStackTrace()
    {
        var output = new MemoryStream();
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            Exception error;
            try
            {
                throw new InvalidOperationException("disk on fire");
            }
            catch (InvalidOperationException ex)
            {
                error = ex;
            }

            Log.ReloadFailed(provider.CreateLogger("test"), error);
        }

        using var json = JsonDocument.Parse(Assert.Single(Lines(output)));
        var text = json.RootElement.GetProperty("Exception").GetString();
        Assert.Contains("System.InvalidOperationException: disk on fire", text, StringComparison.Ordinal);
        Assert.Contains(nameof(Exception_IsWrittenWithItsStackTrace), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyThreads_MoreLinesThanTheQueueHolds_EveryLineWholeAndNoneLost()
    {
        const int threads = 8;
        const int perThread = 3000; // 24,000 lines: the queue holds 8,192, so writers must wait for the disk
        var output = new MemoryStream();
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            var logger = provider.CreateLogger("load");
            await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < perThread; i++)
                {
                    Log.Decision(logger, LogLevel.Information, Entry($"uid-{t}-{i}", "ns", "name", i, [], unlisted: 1));
                }
            })));
        }

        var uids = Lines(output)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("State").GetProperty("AdmissionUid").GetString())
            .ToHashSet();
        Assert.Equal(threads * perThread, uids.Count);
    }

    [Fact]
    public void LinesQueuedWhileTheOutputIsBusy_GoOutInBatches_NotOneWriteEach()
    {
        const int lines = 2000;
        var output = new GatedStream();
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            var logger = provider.CreateLogger("test");
            Log.PolicyRemoved(logger, "first");
            Assert.True(output.FirstWriteStarted.Wait(TimeSpan.FromSeconds(30)), "the writer never wrote");

            // The writer is stuck in its first write: everything logged now waits in the queue.
            for (var i = 0; i < lines; i++)
            {
                Log.PolicyRemoved(logger, $"policy-{i}");
            }

            output.Open.Set();
        }

        var written = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines + 1, written.Length);
        var batches = (int)Math.Ceiling(output.Length / (64.0 * 1024)) + 1; // 64 KiB per write, plus the first line's
        Assert.InRange(output.Writes, 2, batches + 1);
    }

    [Fact]
    public void BrokenOutput_LoggingNeitherThrowsNorBlocks()
    {
        var output = new FailingStream();
        using (var provider = new JsonLinesLoggerProvider(output, new FixedClock(Now)))
        {
            var logger = provider.CreateLogger("test");
            for (var i = 0; i < 20_000; i++)
            {
                Log.PolicyRemoved(logger, "p");
            }
        }

        // 20,000 lines through a stream that fails every write: no exception reached the caller, nothing hung, and the
        // writer kept trying batch after batch instead of giving up on the first failure: every line was offered.
        Assert.Equal(20_000, output.LinesOffered);
    }

    private static List<string> Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private sealed class CapturingLogger : ILogger
    {
        public string? Message { get; private set; }

        public EventId EventId { get; private set; }

        public List<KeyValuePair<string, object?>>? State { get; private set; }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Message = formatter(state, exception);
            EventId = eventId;
            State = [.. (IEnumerable<KeyValuePair<string, object?>>)state!];
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class GatedStream : MemoryStream
    {
        public ManualResetEventSlim FirstWriteStarted { get; } = new();

        public ManualResetEventSlim Open { get; } = new();

        public int Writes { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            FirstWriteStarted.Set();
            Open.Wait();
            base.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                FirstWriteStarted.Dispose();
                Open.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => throw new IOException("no space left on device");

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public int LinesOffered { get; private set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            LinesOffered += buffer.AsSpan(offset, count).Count((byte)'\n');
            throw new IOException("no space left on device");
        }
    }
}
