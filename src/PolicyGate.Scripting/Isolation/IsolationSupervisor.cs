using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// Keeps a worker process for each policy that runs isolated (<c>isolation: process</c>), starts it on first use,
/// loads the policy's compiled code into it (binding the settings there, since that runs the script), sends it the
/// requests, and replaces it when it stops. A worker that crashes, is killed for not answering in time, or breaks the
/// protocol fails only the requests it had, each under its policy's failurePolicy; one that keeps crashing (five
/// times in a minute) fails requests at once, with the reason, until the next try after a growing pause.
/// </summary>
public sealed class IsolationSupervisor : IDisposable
{
    /// <summary>How long past its <c>timeoutSeconds</c> a worker may take to answer before it is killed.</summary>
    public static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a worker may take to start and load a policy (binding its settings runs the script).</summary>
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    private const int CrashLoopStops = 5;
    private static readonly TimeSpan CrashLoopWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly WorkerLauncher _launcher;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IsolatedProgram> _programs = new(StringComparer.Ordinal);
    private bool _disposed;

    public IsolationSupervisor(WorkerLauncher launcher, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(launcher);
        _launcher = launcher;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Raised when a policy's worker stops without being asked to (policy, reason), for the log and the metrics.</summary>
    public event Action<string, string>? WorkerStopped;

    /// <summary>
    /// Loads a compiled policy into its worker (starting the worker if needed) and binds its settings there. Returns
    /// the program that evaluates it there, or the errors (settings the script's <c>Settings</c> type refuses, or a
    /// worker that cannot start).
    /// </summary>
    public (IRemotePolicyProgram? Program, IReadOnlyList<string> Errors) Load(PolicyResource resource, PolicyImage image)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var worker = $"{resource.Kind}/{resource.DisplayName}";
        var fingerprint = IsolatedProgram.Fingerprint(resource, image);

        // A reload that leaves the policy as it was keeps the version its worker has: requests still running on the
        // previous snapshot find it loaded, and the worker is not sent the same code again.
        if (_programs.TryGetValue(worker, out var same) && same.LoadedAs == fingerprint && _slots.TryGetValue(worker, out var kept) && kept.Loaded.Contains(same.Version))
        {
            return (same, []);
        }

        var program = new IsolatedProgram(this, worker, resource, image);
        var slot = _slots.GetOrAdd(program.Worker, key => new Slot(key));
        var errors = EnsureLoaded(slot, program, out _);
        if (errors.Length > 0)
        {
            return (null, errors);
        }

        _programs[worker] = program;
        return (program, []);
    }

    /// <summary>The state of every worker, by policy.</summary>
    public IReadOnlyList<WorkerState> Workers() =>
        _slots.Values.Select(s => s.State(_time.GetUtcNow())).OrderBy(s => s.Worker, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Keeps only the given programs: other versions are unloaded from their workers, and the workers of policies
    /// that are gone are stopped. Returns how many versions were let go.
    /// </summary>
    public int RetainOnly(IEnumerable<IPolicyProgram> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        var keep = inUse.OfType<IsolatedProgram>().ToLookup(p => p.Worker, p => p.Version, StringComparer.Ordinal);
        var released = 0;
        foreach (var (key, slot) in _slots)
        {
            released += slot.Retain(keep[key].ToHashSet(StringComparer.Ordinal));
            if (!keep.Contains(key) && _slots.TryRemove(new KeyValuePair<string, Slot>(key, slot)))
            {
                _programs.TryRemove(key, out _);
                slot.Dispose();
            }
        }

        return released;
    }

    public void Dispose()
    {
        _disposed = true;
        _programs.Clear();
        foreach (var slot in _slots.Values)
        {
            slot.Dispose();
        }

        _slots.Clear();
    }

    internal PolicyVerdict Evaluate(IsolatedProgram program, CompiledPolicy policy, AdmissionRequest request, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(program.Worker, key => new Slot(key));
        var budget = TimeSpan.FromSeconds(policy.Spec.TimeoutSeconds);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string? firstFailure = null;
        var retrying = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (attempt == 2)
                {
                    var wait = budget / 2 - System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    retrying = wait > TimeSpan.Zero && slot.RetryGate.Wait(wait, cancellationToken);
                    if (!retrying)
                    {
                        return new PolicyVerdict.Failed(firstFailure!, TimedOut: false);
                    }
                }

                var verdict = Attempt(attempt);
                if (verdict is not null)
                {
                    return verdict;
                }
            }
        }
        finally
        {
            if (retrying)
            {
                slot.RetryGate.Release();
            }
        }

        // One try: a verdict, or null to try once more (the worker died under this evaluation, the first time).
        PolicyVerdict? Attempt(int attempt)
        {
            var errors = EnsureLoaded(slot, program, out var worker);
            if (errors.Length > 0 || worker is null)
            {
                return new PolicyVerdict.Failed(string.Join("; ", errors), TimedOut: false);
            }

            var left = budget - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var answer = worker.Call(id => WorkerMessages.EncodeEvaluate(id, program.Version, request), left + AnswerMargin, cancellationToken, out var failure, out var timedOut);
            if (answer is { } answered)
            {
                return Decode(answered);
            }

            if (worker.ExitReason is { } reason)
            {
                Stopped(slot, worker, reason);
            }

            // A worker that died under several evaluations at once (a crash caused by one of them) fails them all;
            // each is tried once more on a fresh worker, one at a time, while half its budget is left, so only the one
            // that crashes it again fails: another request's script cannot make this one fail. An evaluation that ran
            // out of time (its worker was killed for it) is not tried again.
            if (attempt == 1 && !timedOut && worker.ExitReason is not null && !cancellationToken.IsCancellationRequested)
            {
                firstFailure = failure;
                return null;
            }

            return new PolicyVerdict.Failed(
                timedOut ? $"evaluation stopped: it ran past its time budget (timeoutSeconds: {policy.Spec.TimeoutSeconds}); {failure}" : failure!,
                TimedOut: timedOut);
        }

        PolicyVerdict Decode((System.Text.Json.JsonDocument Header, ReadOnlyMemory<byte> Body) frame)
        {
            using (frame.Header)
            {
                slot.Answered();
                PolicyVerdict verdict;
                JsonNode? mutated;
                try
                {
                    verdict = WorkerMessages.DecodeVerdict(frame.Header.RootElement, frame.Body, out mutated);
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
                {
                    return new PolicyVerdict.Failed($"its worker process answered something that is not a verdict ({ex.Message})", TimedOut: false);
                }

                return mutated is null ? verdict : PolicyEvaluator.FromMutation(policy, request, mutated, verdict.Warnings, verdict.AuditAnnotations);
            }
        }
    }

    /// <summary>Makes sure the slot has a running worker with this version loaded; the errors say why not.</summary>
    private string[] EnsureLoaded(Slot slot, IsolatedProgram program, out WorkerProcess? worker)
    {
        lock (slot.Gate)
        {
            worker = null;
            if (slot.Blocked(_time.GetUtcNow()) is { } blocked)
            {
                return [blocked];
            }

            if (slot.Current is { ExitReason: null } running && slot.Loaded.Contains(program.Version))
            {
                worker = running;
                return [];
            }

            if (slot.Current is not { ExitReason: null })
            {
                try
                {
                    slot.Start(_launcher);
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
                {
                    return [$"its worker process could not start ({_launcher.FileName}): {ex.Message}"];
                }
            }

            var current = slot.Current!;
            var answer = current.Call(id => WorkerMessages.EncodeLoad(id, program.Version, program.Resource, program.Image), LoadTimeout, CancellationToken.None, out var failure, out _);
            if (answer is not { } frame)
            {
                Stopped(slot, current, current.ExitReason ?? failure ?? "its worker process did not load the policy");
                return [$"its worker process could not load the policy: {failure}"];
            }

            using (frame.Header)
            {
                var errors = frame.Header.RootElement.TryGetProperty("errors", out var list)
                    ? list.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
                    : ["its worker process answered the load with something else"];
                if (errors.Length == 0)
                {
                    slot.Loaded.Add(program.Version);
                    worker = current;
                }

                return errors;
            }
        }
    }

    private void Stopped(Slot slot, WorkerProcess worker, string reason)
    {
        if (slot.Stopped(worker, reason, _time.GetUtcNow()))
        {
            WorkerStopped?.Invoke(slot.Key, reason);
        }
    }

    /// <summary>One policy's worker: the process, what it has loaded, and its recent history.</summary>
    private sealed class Slot(string key) : IDisposable
    {
        private readonly List<DateTimeOffset> _stops = [];
        private WorkerProcess? _recorded;
        private int _restarts;
        private string? _lastFailure;
        private DateTimeOffset _retryAt;
        private TimeSpan _backoff = TimeSpan.FromSeconds(1);
        private bool _crashLooping;

        public string Key { get; } = key;

        public Lock Gate { get; } = new();

        /// <summary>Evaluations tried again after their worker died under them go one at a time: the one that crashed
        /// it then crashes only itself.</summary>
        public SemaphoreSlim RetryGate { get; } = new(1, 1);

        public WorkerProcess? Current { get; private set; }

        public HashSet<string> Loaded { get; } = new(StringComparer.Ordinal);

        public void Start(WorkerLauncher launcher)
        {
            if (Current is not null)
            {
                _restarts++;
                Current.Dispose(); // already stopped; a call still holding it gets the reason it stopped with
            }

            Loaded.Clear();
            Current = WorkerProcess.Start(launcher);
        }

        /// <summary>Records that a worker stopped; false when it was already recorded.</summary>
        public bool Stopped(WorkerProcess worker, string reason, DateTimeOffset now)
        {
            lock (Gate)
            {
                if (!ReferenceEquals(worker, Current) || ReferenceEquals(worker, _recorded))
                {
                    return false;
                }

                _recorded = worker;
                Loaded.Clear();
                _lastFailure = reason;
                _stops.Add(now);
                _stops.RemoveAll(t => now - t > CrashLoopWindow);
                if (_stops.Count >= CrashLoopStops)
                {
                    _crashLooping = true;
                    _retryAt = now + _backoff;
                    _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
                }

                return true;
            }
        }

        /// <summary>A worker answered: whatever it did before, it works now.</summary>
        public void Answered()
        {
            if (_crashLooping)
            {
                lock (Gate)
                {
                    _crashLooping = false;
                    _backoff = TimeSpan.FromSeconds(1);
                    _stops.Clear();
                }
            }
        }

        public string? Blocked(DateTimeOffset now) =>
            _crashLooping && now < _retryAt
                ? string.Create(CultureInfo.InvariantCulture, $"its worker process keeps crashing ({_stops.Count} times in the last minute; last: {_lastFailure}); the next try is in {(_retryAt - now).TotalSeconds:0.#} s")
                : null;

        public WorkerState State(DateTimeOffset now)
        {
            lock (Gate)
            {
                return new WorkerState(Key, Current is { ExitReason: null } running ? running.ProcessId : null, _restarts, _crashLooping && now < _retryAt, _lastFailure);
            }
        }

        /// <summary>Unloads the versions not in <paramref name="keep"/>; returns how many.</summary>
        public int Retain(HashSet<string> keep)
        {
            lock (Gate)
            {
                var gone = Loaded.Where(v => !keep.Contains(v)).ToList();
                foreach (var version in gone)
                {
                    Loaded.Remove(version);
                    Current?.Send(WorkerMessages.EncodeUnload(version));
                }

                return gone.Count;
            }
        }

        public void Dispose()
        {
            lock (Gate)
            {
                Current?.Dispose();
                Current = null;
            }

            RetryGate.Dispose();
        }
    }
}
