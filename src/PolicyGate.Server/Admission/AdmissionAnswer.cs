using System.Text.Json;
using Microsoft.AspNetCore.Http;
using PolicyGate.Core.Admission;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Admission;

/// <summary>How every admission endpoint answers: an AdmissionReview response, or a counted rejection with the error body.</summary>
internal static class AdmissionAnswer
{
    /// <summary>Writes <paramref name="response"/> as an AdmissionReview in the request's own <paramref name="apiVersion"/>; the caller flushes.</summary>
    public static void Write(HttpContext context, string? apiVersion, AdmissionResponse response)
    {
        var answer = new AdmissionReview { ApiVersion = apiVersion, Kind = AdmissionReview.KindName, Response = response };
        context.Response.ContentType = "application/json";
        using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        JsonSerializer.Serialize(writer, answer, AdmissionJson.Options);
    }

    /// <summary>A request refused before any policy ran: <c>{"error": {"code", "message"}}</c> with its status, counted.</summary>
    public static async Task RejectAsync(HttpContext context, PolicyGateMetrics metrics, int status, string message)
    {
        metrics.RecordRejected(status);
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(ApiError.Of(status, message), ApiError.JsonOptions, context.RequestAborted).ConfigureAwait(false);
    }
}
