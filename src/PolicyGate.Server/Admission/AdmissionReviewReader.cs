using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using PolicyGate.Core.Admission;

namespace PolicyGate.Server.Admission;

/// <summary>Reads and checks an AdmissionReview body; every problem becomes a status code and a clear message.</summary>
internal static class AdmissionReviewReader
{
    /// <summary>
    /// The parsed review (dispose it once the answer is written: the request's object is an element of it), or the
    /// status and message to reject the body with.
    /// </summary>
    public static async Task<(AdmissionReviewDocument? Review, int Status, string? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentType is not { } contentType || !IsJson(contentType))
        {
            return (null, StatusCodes.Status400BadRequest, $"Content-Type must be application/json, got \"{request.ContentType}\"");
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; at most {maxBytes} are accepted");
        }

        var body = await ReadLimitedAsync(request.BodyReader, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the body is larger than the {maxBytes} bytes accepted");
        }

        return AdmissionReviewDocument.TryParse(body, out var review, out var error)
            ? (review, StatusCodes.Status200OK, null)
            : (null, StatusCodes.Status400BadRequest, error);
    }

    /// <summary><c>application/json</c>, with or without parameters such as <c>; charset=utf-8</c>.</summary>
    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The whole body in one array of its own (it backs the parsed document until the answer is written), or null when
    /// it is longer than <paramref name="maxBytes"/> (chunked bodies have no length up front).
    /// </summary>
    private static async Task<byte[]?> ReadLimitedAsync(PipeReader body, long maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await body.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                body.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCanceled)
            {
                throw new OperationCanceledException("reading the request body was canceled");
            }

            if (result.IsCompleted)
            {
                var bytes = buffer.ToArray();
                body.AdvanceTo(buffer.End);
                return bytes;
            }

            // Nothing consumed, everything examined: the next read returns this and more.
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
