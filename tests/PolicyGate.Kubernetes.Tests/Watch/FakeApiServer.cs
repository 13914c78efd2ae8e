using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace PolicyGate.Kubernetes.Tests.Watch;

/// <summary>One request the fake API server received: its path, query and when it arrived.</summary>
internal sealed record RecordedRequest(string Path, IReadOnlyDictionary<string, string> Query, long Timestamp, string Method = "GET", string? Body = null)
{
    public bool IsWatch => Query.TryGetValue("watch", out var watch) && watch == "true";

    public string? ResourceVersion => Query.GetValueOrDefault("resourceVersion");
}

/// <summary>
/// A loopback stand-in for the Kubernetes API server, enough for one custom resource's list and watch: lists answer
/// with what <see cref="SetList"/> set; each watch request becomes a <see cref="FakeWatch"/> the test drives (events,
/// bookmarks, errors, normal end or a dropped connection); the next list or watch can be told to fail with a status.
/// Every request is recorded. A raw HTTP/1.1 server on a <see cref="TcpListener"/> at 127.0.0.1 (one request per
/// connection), so that a dropped connection really is one (a reset) and not a tidy end; disposal stops listening and
/// drops open watches.
/// </summary>
internal sealed partial class FakeApiServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _accepting;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<FakeWatch> _openWatches = [];
    private readonly List<Task> _handlers = [];
    private readonly Queue<Failure> _listFailures = new();
    private readonly Queue<Failure> _watchFailures = new();
    private readonly Channel<FakeWatch> _watches = Channel.CreateUnbounded<FakeWatch>();
    private string _list = """{"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"1"},"items":[]}""";
    private readonly Dictionary<string, string> _listsByPath = new(StringComparer.Ordinal);

    private FakeApiServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Host = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where the server listens, for <c>KubernetesClientConfiguration.Host</c>.</summary>
    public string Host { get; }

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts a server on a free loopback port.</summary>
    public static FakeApiServer Start() => new();

    /// <summary>What lists answer from now on (for every path without a list of its own: <see cref="SetListFor"/>).</summary>
    public void SetList(string resourceVersion, params JsonObject[] items)
    {
        var list = List(resourceVersion, items);
        lock (_gate)
        {
            _list = list;
        }
    }

    /// <summary>What lists of <paramref name="path"/> (e.g. <c>/apis/policygate.io/v1/admissionpolicies</c>) answer from now on.</summary>
    public void SetListFor(string path, string resourceVersion, params JsonObject[] items)
    {
        var list = List(resourceVersion, items);
        lock (_gate)
        {
            _listsByPath[path] = list;
        }
    }

    private static string List(string resourceVersion, JsonObject[] items) => new JsonObject
    {
        ["apiVersion"] = "policygate.io/v1",
        ["kind"] = "List",
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
        ["items"] = new JsonArray([.. items.Select(i => i.DeepClone())]),
    }.ToJsonString();

    /// <summary>The next list request is answered with <paramref name="status"/> (a Status body).</summary>
    public void FailNextList(int status, string? retryAfter = null)
    {
        lock (_gate)
        {
            _listFailures.Enqueue(new Failure(status, retryAfter));
        }
    }

    /// <summary>The next watch request is answered with <paramref name="status"/> (a Status body) instead of a stream.</summary>
    public void FailNextWatch(int status, string? retryAfter = null)
    {
        lock (_gate)
        {
            _watchFailures.Enqueue(new Failure(status, retryAfter));
        }
    }

    /// <summary>The next watch request that was answered with a stream, waiting up to ten seconds for it.</summary>
    public async Task<FakeWatch> NextWatchAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _watches.Reader.ReadAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _accepting.WaitAsync(TimeSpan.FromSeconds(10));
        FakeWatch[] open;
        Task[] handlers;
        lock (_gate)
        {
            open = [.. _openWatches];
            handlers = [.. _handlers];
        }

        foreach (var watch in open)
        {
            watch.Abort();
        }

        await Task.WhenAll(handlers).WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient connection;
            try
            {
                connection = await _listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            lock (_gate)
            {
                _handlers.Add(Task.Run(() => HandleAsync(connection)));
            }
        }
    }

    /// <summary>Answers one request per connection (<c>Connection: close</c>), so every call is a new request line.</summary>
    private async Task HandleAsync(TcpClient connection)
    {
        using var _ = connection;
        var stream = connection.GetStream();
        try
        {
            if (await ReadHeadAsync(stream) is not { } received)
            {
                return;
            }

            var (head, rest) = received;

            if (IsBlocked(head))
            {
                // A replica cut off from the API server: its connection dies, as for a killed pod or a partition.
                connection.Client.LingerState = new LingerOption(true, 0);
                connection.Client.Close();
                return;
            }

            var requestLine = head.Split(' ');
            var target = requestLine[1];
            var uri = new Uri("http://localhost" + target);
            var parsed = System.Web.HttpUtility.ParseQueryString(uri.Query);
            var query = parsed.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => parsed[k] ?? "", StringComparer.Ordinal);
            var body = await ReadBodyAsync(stream, head, rest);
            var recorded = new RecordedRequest(uri.AbsolutePath, query, Stopwatch.GetTimestamp(), requestLine[0], body.Length == 0 ? null : Encoding.UTF8.GetString(body));
            Failure? failure;
            string list;
            lock (_gate)
            {
                _requests.Add(recorded);
                var failures = recorded.IsWatch ? _watchFailures : _listFailures;
                failure = TakeFailure(recorded) ?? (failures.Count > 0 && !IsObjectRequest(recorded) ? failures.Dequeue() : null);
                list = _listsByPath.GetValueOrDefault(recorded.Path) ?? _list;
            }

            if (failure?.Delay is { } delay)
            {
                await Task.Delay(delay);
                failure = null;
            }

            if (failure is null && IsObjectRequest(recorded))
            {
                var (status, answer) = Answer(recorded);
                await WriteAsync(stream, status, answer, retryAfter: null);
            }
            else if (failure is not null)
            {
                await WriteAsync(stream, failure.Status, FakeWatch.Status(failure.Status).ToJsonString(), failure.RetryAfter);
            }
            else if (!recorded.IsWatch)
            {
                await WriteAsync(stream, 200, StoredList(recorded) ?? list, retryAfter: null);
            }
            else
            {
                var watch = new FakeWatch(recorded, connection);
                lock (_gate)
                {
                    _openWatches.Add(watch);
                }

                await _watches.Writer.WriteAsync(watch);
                await watch.RunAsync();
                lock (_gate)
                {
                    _openWatches.Remove(watch);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    /// <summary>Reads the body <paramref name="head"/>'s <c>Content-Length</c> announces (none without one), of which
    /// <paramref name="rest"/> was read with the head.</summary>
    private static async Task<byte[]> ReadBodyAsync(NetworkStream stream, string head, byte[] rest)
    {
        var length = head.Split("\r\n")
            .Select(line => line.Split(':', 2))
            .Where(pair => pair.Length == 2 && pair[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(pair => int.Parse(pair[1].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault();
        var body = new byte[length];
        rest.AsSpan(0, Math.Min(rest.Length, length)).CopyTo(body);
        if (rest.Length < length)
        {
            await stream.ReadExactlyAsync(body.AsMemory(rest.Length));
        }

        return body;
    }

    /// <summary>Reads up to the blank line after the headers, in chunks; what came after it is returned too (the
    /// start of a body).</summary>
    private static async Task<(string Head, byte[] Body)?> ReadHeadAsync(NetworkStream stream)
    {
        var read = new List<byte>();
        var chunk = new byte[1024];
        while (true)
        {
            var end = IndexOfBlankLine(read);
            if (end >= 0)
            {
                return (Encoding.ASCII.GetString([.. read[..end]]), [.. read[end..]]);
            }

            var n = await stream.ReadAsync(chunk);
            if (n == 0)
            {
                return null;
            }

            read.AddRange(chunk.AsSpan(0, n));
        }
    }

    /// <summary>Where the headers end (just past <c>\r\n\r\n</c>), or -1.</summary>
    private static int IndexOfBlankLine(List<byte> bytes)
    {
        var i = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : i + 4;
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string body, string? retryAfter)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} Fake\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n" +
            (retryAfter is null ? "" : $"Retry-After: {retryAfter}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    private sealed record Failure(int Status, string? RetryAfter, TimeSpan? Delay = null);
}

/// <summary>One open watch stream, driven by the test: each call writes one line and flushes it at once (chunked).</summary>
internal sealed class FakeWatch
{
    private readonly TcpClient _connection;
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>();

    public FakeWatch(RecordedRequest request, TcpClient connection)
    {
        Request = request;
        _connection = connection;
    }

    /// <summary>The watch request, with its query string.</summary>
    public RecordedRequest Request { get; }

    /// <summary>A <c>Status</c> object with <paramref name="code"/>, as the API server sends in errors.</summary>
    public static JsonObject Status(int code) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = code == 410 ? "too old resource version: 1 (2)" : $"fake failure {code}",
        ["reason"] = code == 410 ? "Expired" : "InternalError",
        ["code"] = code,
    };

    /// <summary>Sends one event; completes once it is flushed.</summary>
    public Task SendAsync(string type, JsonObject obj) =>
        Enqueue(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n");

    /// <summary>Sends a BOOKMARK carrying only <paramref name="resourceVersion"/>.</summary>
    public Task BookmarkAsync(string resourceVersion) => SendAsync("BOOKMARK", new JsonObject
    {
        ["apiVersion"] = "policygate.io/v1",
        ["kind"] = "ClusterAdmissionPolicy",
        ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
    });

    /// <summary>Sends an ERROR event with a Status of <paramref name="code"/>, then ends the watch, as the API server
    /// does.</summary>
    public async Task ErrorAsync(int code)
    {
        await SendAsync("ERROR", Status(code));
        End();
    }

    /// <summary>Ends the watch normally (the last chunk), as the server does at <c>timeoutSeconds</c>.</summary>
    public void End() => _commands.Writer.TryWrite(new Command(null, null, Abort: false));

    /// <summary>Drops the connection mid-stream.</summary>
    public void Abort() => _commands.Writer.TryWrite(new Command(null, null, Abort: true));

    internal async Task RunAsync()
    {
        var stream = _connection.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"));
            await stream.FlushAsync();
            await foreach (var command in _commands.Reader.ReadAllAsync())
            {
                if (command.Line is null)
                {
                    if (command.Abort)
                    {
                        // A reset, not a close: the client sees the connection die mid-stream.
                        _connection.Client.LingerState = new LingerOption(true, 0);
                        _connection.Client.Close();
                    }
                    else
                    {
                        await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
                        await stream.FlushAsync();
                        _connection.Client.Shutdown(SocketShutdown.Send);
                    }

                    return;
                }

                try
                {
                    var bytes = Encoding.UTF8.GetBytes(command.Line);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:X}\r\n"));
                    await stream.WriteAsync(bytes);
                    await stream.WriteAsync("\r\n"u8.ToArray());
                    await stream.FlushAsync();
                    command.Sent!.TrySetResult();
                }
                catch (Exception e)
                {
                    command.Sent!.TrySetException(e);
                    throw;
                }
            }
        }
        finally
        {
            _commands.Writer.TryComplete();
            while (_commands.Reader.TryRead(out var left))
            {
                left.Sent?.TrySetException(new IOException("The watch is closed."));
            }
        }
    }

    private Task Enqueue(string line)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_commands.Writer.TryWrite(new Command(line, sent, Abort: false)))
        {
            sent.SetException(new IOException("The watch is closed."));
        }

        return sent.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed record Command(string? Line, TaskCompletionSource? Sent, bool Abort);
}
