using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace PolicyGate.Kubernetes.Tests.Events;

/// <summary>A fake clock that also tells which timers were set, so a test can see that the recorder is waiting (for a
/// Retry-After, a token, a series interval) before it moves the clock.</summary>
internal sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _timers = new();

    public IReadOnlyCollection<TimeSpan> TimersSet => _timers.ToArray();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }
}
