using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace PolicyGate.Server.Observability;

/// <summary>
/// The server's log: one JSON object per line (Timestamp, EventId, LogLevel, Category, Message, State, Exception).
/// Built for the decision log, which writes a line per policy per request: the line is encoded to UTF-8 on the
/// caller's thread with no intermediate string, and a background thread writes whole batches, so a busy server
/// makes one write call per batch instead of one per line (the console logger's cost, measured in bench/).
/// Nothing is dropped: when the queue is full the caller waits for the writer, as the console logger does.
/// </summary>
public sealed class JsonLinesLoggerProvider : ILoggerProvider
{
    private const int MaxQueuedLines = 8192;
    private const int MaxBatchBytes = 64 * 1024;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static LineBuffer? t_buffer;

    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<byte[]> _queue = new();
    private readonly SemaphoreSlim _pending = new(0);
    private readonly MemoryStream _batch = new(MaxBatchBytes);
    private int _signalled;
    private readonly SemaphoreSlim _room = new(MaxQueuedLines, MaxQueuedLines);
    private readonly Thread _writer;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Logger> _loggers = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="output">Where lines go (standard output in the server); written only by the background thread.</param>
    public JsonLinesLoggerProvider(Stream output, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _time = time ?? TimeProvider.System;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "PolicyGate log writer" };
        _writer.Start();
    }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new Logger(this, name));

    /// <summary>Writes every queued line and stops the writer.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _writer.Join();
        _stopping.Dispose();
        _pending.Dispose();
        _room.Dispose();
        _batch.Dispose();
    }

    private void Enqueue(byte[] line)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            _room.Wait(_stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return; // shutting down: the writer has stopped taking lines
        }

        _queue.Enqueue(line);
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            _pending.Release(); // the first line since the writer last looked wakes it; the others wait in the queue
        }
    }

    private void WriteLoop()
    {
        var stopping = _stopping.Token;
        while (true)
        {
            try
            {
                _pending.Wait(stopping);

                // Let the lines of concurrent requests gather: one write for all of them instead of a wake-up and a
                // write per line. Lines appear at most BatchWindow late; Dispose writes whatever is queued.
                if (stopping.WaitHandle.WaitOne(BatchWindow))
                {
                    throw new OperationCanceledException(stopping);
                }
            }
            catch (OperationCanceledException)
            {
                Drain();
                return;
            }

            Volatile.Write(ref _signalled, 0); // before draining: a line queued from now on wakes the writer again
            Drain();
        }
    }

    private void Drain()
    {
        while (_queue.TryDequeue(out var line))
        {
            // Each dequeued line frees one place; the semaphore counts are settled by the next Wait.
            _room.Release();
            if (_batch.Length + line.Length > MaxBatchBytes && _batch.Length > 0)
            {
                Write();
            }

            _batch.Write(line);
        }

        if (_batch.Length > 0)
        {
            Write();
        }
    }

    /// <summary>Writes and flushes the batch, then empties it; a failing output loses the batch, never the server.</summary>
    private void Write()
    {
        try
        {
            _output.Write(_batch.GetBuffer(), 0, (int)_batch.Length);
            _output.Flush();
        }
        catch (Exception ex) when (IsOutputFailure(ex))
        {
            // A closed or full output must not take the server down; the lines are lost, the server keeps answering.
        }

        _batch.SetLength(0);
    }

    private static bool IsOutputFailure(Exception exception) => exception is IOException or ObjectDisposedException;

    private byte[] Format<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var buffer = t_buffer ??= new LineBuffer();
        var writer = buffer.Start();
        writer.WriteStartObject();
        writer.WriteString("Timestamp", _time.GetUtcNow().UtcDateTime);
        writer.WriteNumber("EventId", eventId.Id);
        writer.WriteString("LogLevel", LevelName(level));
        writer.WriteString("Category", category);

        // A record that writes itself (the decision line) costs no message string and no boxed values.
        var record = state as IJsonLogState;
        var length = 0;
        var selfWritten = record is not null && record.TryFormatMessage(buffer.Message, out length);
        if (selfWritten)
        {
            writer.WriteString("Message", buffer.Message.AsSpan(0, length));
        }
        else
        {
            writer.WriteString("Message", formatter(state, exception));
        }

        if (exception is not null)
        {
            writer.WriteString("Exception", exception.ToString());
        }

        if (selfWritten)
        {
            writer.WriteStartObject("State");
            record!.WriteFields(writer);
            writer.WriteEndObject();
        }
        else if (state is IReadOnlyList<KeyValuePair<string, object?>> { Count: > 0 } values)
        {
            writer.WriteStartObject("State");
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                if (key == "{OriginalFormat}")
                {
                    continue;
                }

                WriteValue(writer, StateKey(key), value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        return buffer.Finish();
    }

    /// <summary>The logging generator names a keyword parameter as written (<c>@namespace</c>); the template says <c>Namespace</c>.</summary>
    private static string StateKey(string key) =>
        key.Length > 1 && key[0] == '@' ? string.Concat(char.ToUpperInvariant(key[1]).ToString(), key.AsSpan(2)) : key;

    private static void WriteValue(Utf8JsonWriter writer, string key, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(key);
                break;
            case string s:
                writer.WriteString(key, s);
                break;
            case bool b:
                writer.WriteBoolean(key, b);
                break;
            case int n:
                writer.WriteNumber(key, n);
                break;
            case long n:
                writer.WriteNumber(key, n);
                break;
            case double d when double.IsFinite(d):
                writer.WriteNumber(key, d);
                break;
            case DateTime t:
                writer.WriteString(key, t);
                break;
            case DateTimeOffset t:
                writer.WriteString(key, t);
                break;
            case IFormattable f:
                writer.WriteString(key, f.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                writer.WriteString(key, value.ToString());
                break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => "None",
    };

    /// <summary>A thread's reusable encoder: the only allocation per line is the finished line itself.</summary>
    [SuppressMessage("Reliability", "CA1001", Justification = "Lives as long as its thread; a Utf8JsonWriter over an ArrayBufferWriter holds no unmanaged resource.")]
    private sealed class LineBuffer
    {
        private readonly ArrayBufferWriter<byte> _bytes = new(512);
        private readonly Utf8JsonWriter _writer;

        /// <summary>Where an <see cref="IJsonLogState"/> formats its message (a longer one takes the generic path).</summary>
        public char[] Message { get; }

        public LineBuffer()
        {
            Message = new char[1024];
            _writer = new Utf8JsonWriter(_bytes, WriterOptions);
        }

        public Utf8JsonWriter Start()
        {
            _bytes.ResetWrittenCount();
            _writer.Reset(_bytes);
            return _writer;
        }

        public byte[] Finish()
        {
            _writer.Flush();
            var written = _bytes.WrittenSpan;
            var line = new byte[written.Length + 1];
            written.CopyTo(line);
            line[^1] = (byte)'\n';
            return line;
        }
    }

    private sealed class Logger(JsonLinesLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            provider.Enqueue(provider.Format(category, logLevel, eventId, state, exception, formatter));
        }
    }
}
