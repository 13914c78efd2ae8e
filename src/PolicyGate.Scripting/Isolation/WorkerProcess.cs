using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// The server's side of one worker process: sends it messages, matches its answers to them, and ends it when it
/// misbehaves. A worker that crashes, answers something malformed or does not answer in time is killed, and every
/// call still waiting on it fails with the reason; nothing it does reaches further than those calls.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Lock _writeGate = new();
    private readonly Lock _lifeGate = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<(JsonDocument Header, ReadOnlyMemory<byte> Body)>> _pending = new();
    private long _nextId;
    private string? _exitReason;
    private string? _firstStderrLine;
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private WorkerProcess(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
    }

    public int ProcessId => _process.Id;

    /// <summary>Why the worker is gone (crashed, killed, ended), or null while it runs.</summary>
    public string? ExitReason => Volatile.Read(ref _exitReason);

    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public static WorkerProcess Start(WorkerLauncher launcher)
    {
        var process = Process.Start(launcher.StartInfo()) ?? throw new InvalidOperationException("the worker process did not start");
        var worker = new WorkerProcess(process);
        process.ErrorDataReceived += (_, line) => worker.KeepStderr(line.Data);
        process.BeginErrorReadLine();
        var reader = new Thread(worker.ReadAnswers) { IsBackground = true, Name = $"policygate worker {process.Id} reader" };
        reader.Start();
        return worker;
    }

    /// <summary>
    /// Sends the message <paramref name="encode"/> makes for a fresh id, and waits up to <paramref name="timeout"/>
    /// for its answer. On no answer the worker is killed (it is stuck where nothing can stop it but that), with
    /// <paramref name="timedOut"/> set. The caller disposes the answer's header.
    /// </summary>
    public (JsonDocument Header, ReadOnlyMemory<byte> Body)? Call(
        Func<long, byte[]> encode, TimeSpan timeout, CancellationToken cancellationToken, out string? failure, out bool timedOut)
    {
        timedOut = false;
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<(JsonDocument, ReadOnlyMemory<byte>)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            if (ExitReason is { } gone)
            {
                failure = gone;
                return null;
            }

            var frame = encode(id);
            try
            {
                lock (_writeGate)
                {
                    WorkerFrames.Write(_input, frame);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                Stop("its worker process stopped reading its requests");
            }

            try
            {
                if (!answer.Task.Wait(timeout, cancellationToken))
                {
                    timedOut = true;
                    Stop($"its worker process did not answer within {timeout.TotalSeconds:0.#} s and was killed");
                }
            }
            catch (AggregateException)
            {
                // Failed below with the worker's reason.
            }
            catch (OperationCanceledException)
            {
                failure = "the caller stopped waiting for the answer";
                return null;
            }

            if (answer.Task.IsCompletedSuccessfully)
            {
                failure = null;
                return answer.Task.Result;
            }

            failure = ExitReason ?? "its worker process did not answer";
            return null;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a message that has no answer; a worker that cannot take it is stopped.</summary>
    public void Send(byte[] frame)
    {
        try
        {
            lock (_writeGate)
            {
                WorkerFrames.Write(_input, frame);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            Stop("its worker process stopped reading its requests");
        }
    }

    /// <summary>Kills the worker (if it still runs) and fails every call waiting on it with <paramref name="reason"/>.</summary>
    public void Stop(string reason)
    {
        if (Interlocked.CompareExchange(ref _exitReason, reason, null) is not null)
        {
            return;
        }

        Kill();
        foreach (var (_, pending) in _pending)
        {
            pending.TrySetException(new InvalidOperationException(reason));
        }
    }

    public void Dispose()
    {
        Stop("its worker process was stopped");
        lock (_lifeGate)
        {
            Kill(); // whoever stopped it first may not have got to it yet
            _disposed = true;
            try
            {
                _input.Dispose();
            }
            catch (IOException)
            {
            }

            _process.Dispose();
        }
    }

    private void Kill()
    {
        lock (_lifeGate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }
        }
    }

    private void ReadAnswers()
    {
        var output = new BufferedStream(_process.StandardOutput.BaseStream, 64 * 1024); // a frame in one read
        try
        {
            while (WorkerFrames.Read(output, WorkerFrames.MaxAnswerBytes) is { } frame)
            {
                var (header, body) = WorkerMessages.Split(frame);
                if (!header.RootElement.TryGetProperty("id", out var idElement) || !idElement.TryGetInt64(out var id) ||
                    !_pending.TryGetValue(id, out var waiting) || !waiting.TrySetResult((header, body)))
                {
                    header.Dispose(); // an answer nobody waits for any more (it timed out): dropped
                }
            }

            Stop(DescribeExit());
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or IOException or ObjectDisposedException)
        {
            Stop($"its worker process broke the protocol ({ex.Message}) and was killed");
        }
    }

    /// <summary>Why the process ended, from its exit code and the last thing it wrote to standard error.</summary>
    private string DescribeExit()
    {
        int? code = null;
        try
        {
            if (_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                code = _process.ExitCode;
                // The crash report is on standard error, read on another thread: wait (briefly) for its end too.
                _stderrClosed.Task.Wait(TimeSpan.FromSeconds(2));
            }
        }
        catch (InvalidOperationException)
        {
        }

        var why = code switch
        {
            null => "its worker process closed its output",
            134 => "its worker process crashed (SIGABRT: a stack overflow or a fatal runtime error)",
            137 => "its worker process was killed (SIGKILL: out of memory?)",
            0 => "its worker process ended",
            _ => $"its worker process crashed (exit code {code})",
        };
        // The runtime's own report comes first ("Stack overflow.", "Unhandled exception. ..."), its stack trace after.
        var first = Volatile.Read(ref _firstStderrLine);
        return first is null ? why : $"{why}: {first.Trim()}";
    }

    /// <summary>Keeps the first line the worker writes to standard error (a crash's own report); the rest is read and dropped.</summary>
    private void KeepStderr(string? line)
    {
        if (line is null)
        {
            _stderrClosed.TrySetResult();
        }
        else if (!string.IsNullOrWhiteSpace(line))
        {
            Interlocked.CompareExchange(ref _firstStderrLine, line.Length > 500 ? line[..500] : line, null);
        }
    }
}
