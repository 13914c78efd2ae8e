using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>
/// Captures log lines ("Category|EventId|Level|message") at <paramref name="minimum"/> and above (Information unless
/// given) so tests can assert what the server logged.
/// </summary>
internal sealed class ListLoggerProvider(ConcurrentQueue<string> lines, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, lines, minimum);

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, ConcurrentQueue<string> lines, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category}|{eventId.Id}|{logLevel}|{formatter(state, exception)}");
    }
}
