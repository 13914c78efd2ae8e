using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Tests.Admission;

/// <summary>
/// A client that goes away mid-body (the API server giving up at its webhook timeout, h2load stopping) used to be an
/// "Unhandled error answering" line at Error with a stack trace, and a 500 written to a dead connection.
/// </summary>
public sealed class AdmissionHandlerAbortTests
{
    [Fact]
    public async Task BodyCutOffByTheClient_NoErrorNoAnswer_ADebugLine()
    {
        // As Kestrel does when a connection drops: the request is aborted, and the body's read fails.
        using var aborted = new CancellationTokenSource();
        var (handler, logger, context) = Setup(aborted.Cancel, aborted.Token);

        await handler.HandleAsync(context, AdmissionEndpoint.Validate, null);

        Assert.Equal(0, context.Response.Body.Length);
        var (level, eventId) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Debug, level);
        Assert.Equal(1031, eventId);
    }

    [Fact]
    public async Task Http2StreamOfAFaultedConnection_NoErrorNoAnswer_ADebugLine()
    {
        // On HTTP/2 the body's read fails (ConnectionAbortedException inside) before the request is marked aborted.
        var (handler, logger, context) = Setup(() => { }, CancellationToken.None, new IOException("The request stream was aborted.", new ConnectionAbortedException("The HTTP/2 connection faulted.")));

        await handler.HandleAsync(context, AdmissionEndpoint.Validate, null);

        Assert.Equal(0, context.Response.Body.Length);
        Assert.Equal((LogLevel.Debug, 1031), Assert.Single(logger.Entries));
    }

    [Fact]
    public async Task BodyReadFails_ClientStillThere_StillAnError()
    {
        var (handler, _, context) = Setup(() => { }, CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(context, AdmissionEndpoint.Validate, null));
    }

    private static (AdmissionHandler Handler, ListLogger Logger, DefaultHttpContext Context) Setup(Action onCut, CancellationToken requestAborted, IOException? failure = null)
    {
        var registry = new PolicyRegistry();
        registry.Publish(PolicySnapshot.Empty.Next([], [], DateTimeOffset.UnixEpoch));
        var logger = new ListLogger();
        var handler = new AdmissionHandler(registry, new PolicyGateMetrics(), Options.Create(new PolicyGateServerOptions()), logger);
        var context = new DefaultHttpContext { RequestAborted = requestAborted };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new CutOffStream(onCut, failure ?? new IOException("The request stream was aborted."));
        context.Response.Body = new MemoryStream();
        return (handler, logger, context);
    }

    /// <summary>A request body whose connection dropped: a few bytes, then the transport's IOException.</summary>
    private sealed class CutOffStream(Action onCut, IOException failure) : Stream
    {
        private bool _sent;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_sent)
            {
                onCut();
                throw failure;
            }

            _sent = true;
            var start = "{\"apiVersion\""u8;
            var length = Math.Min(start.Length, buffer.Length);
            start[..length].CopyTo(buffer.Span);
            return ValueTask.FromResult(length);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class ListLogger : ILogger<AdmissionHandler>
    {
        public List<(LogLevel Level, int EventId)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, eventId.Id));
    }
}
