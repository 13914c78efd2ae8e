namespace PolicyGate.Scripting.Isolation;

/// <summary>How the worker process of a policy is doing, for <c>/policies</c> and the metrics.</summary>
/// <param name="Worker">The policy the worker runs.</param>
/// <param name="ProcessId">The running process, or null.</param>
/// <param name="Restarts">How many times a worker was started again after one stopped.</param>
/// <param name="CrashLooping">Whether it stopped so often lately that requests fail at once until the next try.</param>
/// <param name="LastFailure">Why the last worker stopped, or null.</param>
public sealed record WorkerState(string Worker, int? ProcessId, int Restarts, bool CrashLooping, string? LastFailure);
