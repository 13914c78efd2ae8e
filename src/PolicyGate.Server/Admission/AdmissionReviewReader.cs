using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PolicyGate.Core.Admission;

namespace PolicyGate.Server.Admission;

/// <summary>Reads and checks an AdmissionReview body; every problem becomes a status code and a clear message.</summary>
internal static class AdmissionReviewReader
{
    public static async Task<(AdmissionReview? Review, int Status, string? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentType is not { } contentType ||
            !contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, StatusCodes.Status400BadRequest, $"Content-Type must be application/json, got \"{request.ContentType}\"");
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the body is {request.ContentLength} bytes; at most {maxBytes} are accepted");
        }

        var body = await ReadLimitedAsync(request.Body, maxBytes, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return (null, StatusCodes.Status413PayloadTooLarge, $"the body is larger than the {maxBytes} bytes accepted");
        }

        AdmissionReview? review;
        try
        {
            review = JsonSerializer.Deserialize<AdmissionReview>(body, AdmissionJson.Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            return (null, StatusCodes.Status400BadRequest, $"the body is not a valid AdmissionReview JSON{where}: {ex.Message.Split(" Path:")[0]}");
        }

        if (review is null || review.Kind != AdmissionReview.KindName || review.ApiVersion != AdmissionReview.ApiVersionV1)
        {
            return (null, StatusCodes.Status400BadRequest,
                $"expected kind AdmissionReview with apiVersion {AdmissionReview.ApiVersionV1}, got kind \"{review?.Kind}\" apiVersion \"{review?.ApiVersion}\"");
        }

        if (review.Request is null)
        {
            return (null, StatusCodes.Status400BadRequest, "the AdmissionReview has no request");
        }

        if (string.IsNullOrEmpty(review.Request.Uid))
        {
            return (null, StatusCodes.Status400BadRequest, "request.uid is required (the response must echo it)");
        }

        return (review, StatusCodes.Status200OK, null);
    }

    /// <summary>The body, or null when it is longer than <paramref name="maxBytes"/> (chunked bodies have no length up front).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
