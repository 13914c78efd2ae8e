using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests.Admission;

/// <summary>
/// A client that goes away mid-body (the API server giving up at its webhook timeout, h2load stopping) used to be an
/// "Unhandled error answering" line at Error with a stack trace, and a 500 written to a dead connection.
/// </summary>
public sealed class AdmissionHandlerAbortTests : IDisposable
{
    private readonly ConcurrentQueue<string> _logs = new();
    private readonly ILoggerFactory _loggers;

    public AdmissionHandlerAbortTests() =>
        _loggers = LoggerFactory.Create(b => b.AddProvider(new ListLoggerProvider(_logs, LogLevel.Debug)).SetMinimumLevel(LogLevel.Debug));

    public void Dispose() => _loggers.Dispose();

    [Fact]
    public async Task BodyCutOffByTheClient_NoErrorNoAnswer_ADebugLine()
    {
        // As Kestrel does when a connection drops: the request is aborted, and the body's read fails.
        using var aborted = new CancellationTokenSource();
        var (handler, logs, context) = Setup(aborted.Cancel, aborted.Token);

        await handler.HandleAsync(context, AdmissionEndpoint.Validate, null);

        Assert.Equal(0, context.Response.Body.Length);
        Assert.StartsWith($"{typeof(AdmissionHandler).FullName}|1031|Debug|", Assert.Single(logs));
    }

    [Fact]
    public async Task Http2StreamOfAFaultedConnection_NoErrorNoAnswer_ADebugLine()
    {
        // On HTTP/2 the body's read fails (ConnectionAbortedException inside) before the request is marked aborted.
        var (handler, logs, context) = Setup(() => { }, CancellationToken.None, new IOException("The request stream was aborted.", new ConnectionAbortedException("The HTTP/2 connection faulted.")));

        await handler.HandleAsync(context, AdmissionEndpoint.Validate, null);

        Assert.Equal(0, context.Response.Body.Length);
        Assert.StartsWith($"{typeof(AdmissionHandler).FullName}|1031|Debug|", Assert.Single(logs));
    }

    [Fact]
    public async Task BodyReadFails_ClientStillThere_StillAnError()
    {
        var (handler, _, context) = Setup(() => { }, CancellationToken.None);

        await Assert.ThrowsAsync<IOException>(() => handler.HandleAsync(context, AdmissionEndpoint.Validate, null));
    }

    private (AdmissionHandler Handler, ConcurrentQueue<string> Logs, DefaultHttpContext Context) Setup(Action onCut, CancellationToken requestAborted, IOException? failure = null)
    {
        var registry = new PolicyRegistry();
        registry.Publish(PolicySnapshot.Empty.Next([], [], DateTimeOffset.UnixEpoch));
        var handler = new AdmissionHandler(registry, new PolicyGateMetrics(), Options.Create(new PolicyGateServerOptions()), _loggers.CreateLogger<AdmissionHandler>());
        var context = new DefaultHttpContext { RequestAborted = requestAborted };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new CutOffStream(onCut, failure ?? new IOException("The request stream was aborted."));
        context.Response.Body = new MemoryStream();
        return (handler, _logs, context);
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
}
