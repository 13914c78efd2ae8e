using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace PolicyGate.Bench.Echo;

/// <summary><c>POST /validate</c>: reads the whole AdmissionReview, echoes <c>request.uid</c>, allows.</summary>
internal static class EchoHandler
{
    public static async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        while (!result.IsCompleted)
        {
            // Keep everything, ask for more: the whole body is read, as a real webhook must.
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var uid = FindUid(result.Buffer);
        reader.AdvanceTo(result.Buffer.End);
        if (uid is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        context.Response.ContentType = "application/json";
        await WriteAllowedAsync(context.Response.BodyWriter, uid).ConfigureAwait(false);
    }

    /// <summary>The value of <c>request.uid</c>, found with a forward-only reader (no document is built).</summary>
    private static string? FindUid(ReadOnlySequence<byte> body)
    {
        var json = new Utf8JsonReader(body);
        var inRequest = false;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (json.CurrentDepth == 1)
            {
                inRequest = json.ValueTextEquals("request"u8);
            }
            else if (inRequest && json.CurrentDepth == 2 && json.ValueTextEquals("uid"u8))
            {
                json.Read();
                return json.GetString();
            }
        }

        return null;
    }

    private static async ValueTask WriteAllowedAsync(PipeWriter body, string uid)
    {
        using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion"u8, "admission.k8s.io/v1"u8);
            writer.WriteString("kind"u8, "AdmissionReview"u8);
            writer.WriteStartObject("response"u8);
            writer.WriteString("uid"u8, uid);
            writer.WriteBoolean("allowed"u8, true);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await body.FlushAsync().ConfigureAwait(false);
    }
}
