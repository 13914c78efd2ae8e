using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s.Autorest;
using Polly.Timeout;

namespace PolicyGate.Kubernetes;

/// <summary>How a failed API call is read, by the Event recorder and the watch cache alike: whether to retry it, how
/// long the server asked us to wait, and the server's own words for the log.</summary>
public static class ApiErrors
{
    /// <summary>The HTTP status of an API server reply carried by <paramref name="exception"/>, if it is one.</summary>
    public static HttpStatusCode? StatusOf(Exception? exception) =>
        exception is HttpOperationException { Response: { } response } ? response.StatusCode : null;

    /// <summary>Worth trying again: 429 Too Many Requests, any 5xx, a per-call timeout, or a connection failure
    /// (including HttpClient's own timeout, which surfaces as a cancellation nobody asked for).</summary>
    public static bool IsTransient(Exception? exception, CancellationToken cancellationToken) => exception switch
    {
        HttpOperationException => StatusOf(exception) is { } status && (status == HttpStatusCode.TooManyRequests || (int)status >= 500),
        TimeoutRejectedException or HttpRequestException or IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The delay a 429 or 503 reply's <c>Retry-After</c> header asks for (delta-seconds or an HTTP date).</summary>
    public static TimeSpan? RetryAfter(Exception? exception, DateTimeOffset now)
    {
        if (exception is not HttpOperationException { Response.Headers: { } headers })
        {
            return null;
        }

        foreach (var (name, values) in headers)
        {
            if (!string.Equals(name, "Retry-After", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var value = values.FirstOrDefault()?.Trim();
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        return null;
    }

    /// <summary>The API server's explanation: the <c>message</c> of the Status object it replied with, or the raw
    /// body, or the exception's message when there was no reply.</summary>
    public static string Describe(Exception exception)
    {
        if (exception is not HttpOperationException { Response: { } response })
        {
            return $"{exception.GetType().Name}: {exception.Message}";
        }

        var body = response.Content ?? "";
        try
        {
            using var status = JsonDocument.Parse(body);
            if (status.RootElement.ValueKind == JsonValueKind.Object &&
                status.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return $"{(int)response.StatusCode} {message.GetString()}";
            }
        }
        catch (JsonException)
        {
            // Not a Status object (a proxy's HTML page, say): the raw body is the best explanation there is.
        }

        return $"{(int)response.StatusCode} {(body.Length > 512 ? body[..512] : body)}";
    }
}
