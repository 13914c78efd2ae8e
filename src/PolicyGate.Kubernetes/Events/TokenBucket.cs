namespace PolicyGate.Kubernetes.Events;

/// <summary>A token bucket driven by a <see cref="TimeProvider"/>: <c>burst</c> writes at once, then
/// <c>ratePerSecond</c>. Used by one caller at a time (the recorder's pump), so it takes no locks.</summary>
internal sealed class TokenBucket(double ratePerSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private long _lastRefill = time.GetTimestamp();

    /// <summary>Takes a token, waiting (on <paramref name="time"/>'s clock) until one is available.</summary>
    public async ValueTask AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_lastRefill, now).TotalSeconds * ratePerSecond));
            _lastRefill = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return;
            }

            var wait = TimeSpan.FromSeconds((1 - _tokens) / ratePerSecond);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, time, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
