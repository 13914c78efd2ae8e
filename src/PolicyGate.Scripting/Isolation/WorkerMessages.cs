using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// The messages between the server and a worker. Each frame is a one-line JSON header (<c>type</c>, <c>id</c>, and
/// small fields), a newline, and an optional body in its own JSON: the AdmissionReview a worker judges, or the
/// mutated object it hands back, so that neither is copied into or out of another document.
/// </summary>
internal static class WorkerMessages
{
    public const string Load = "load";
    public const string Loaded = "loaded";
    public const string Evaluate = "evaluate";
    public const string Verdict = "verdict";
    public const string Unload = "unload";

    private static readonly JsonDocumentOptions HeaderOptions = new() { MaxDepth = 64 };

    private static readonly JsonDocumentOptions ObjectOptions = new() { MaxDepth = PolicyOutputLimits.MaxObjectDepth };

    private static readonly JsonWriterOptions WriterOptions = new() { MaxDepth = PolicyOutputLimits.MaxObjectDepth + 8 };

    /// <summary>The request as the server read it: as deep as an AdmissionReview may be.</summary>
    private static readonly JsonSerializerOptions RequestOptions = new(AdmissionJson.Options) { MaxDepth = PolicyOutputLimits.MaxObjectDepth + 8 };

    public static byte[] EncodeLoad(long id, string policy, PolicyResource resource, PolicyImage image) => Encode(
        header =>
        {
            header.WriteString("type", Load);
            header.WriteNumber("id", id);
            header.WriteString("policy", policy);
            header.WriteString("kind", resource.Kind.ToString());
            header.WriteString("name", resource.Name);
            header.WriteString("namespace", resource.Namespace);
            header.WriteBoolean("mutating", resource.Spec.Mutating);
            header.WriteNumber("timeoutSeconds", resource.Spec.TimeoutSeconds);
            header.WriteString("hash", image.Hash);
            header.WriteBase64String("assembly", image.Assembly);
            header.WriteBase64String("symbols", image.Symbols);
        },
        resource.Spec.Settings is { } settings ? writer => settings.WriteTo(writer) : null);

    public static byte[] EncodeEvaluate(long id, string policy, AdmissionRequest request) => Encode(
        header =>
        {
            header.WriteString("type", Evaluate);
            header.WriteNumber("id", id);
            header.WriteString("policy", policy);
        },
        body =>
        {
            body.WriteStartObject();
            body.WriteString("apiVersion", AdmissionReview.ApiVersionV1);
            body.WriteString("kind", AdmissionReview.KindName);
            body.WritePropertyName("request");
            JsonSerializer.Serialize(body, request, RequestOptions);
            body.WriteEndObject();
        });

    public static byte[] EncodeUnload(string policy) => Encode(
        header =>
        {
            header.WriteString("type", Unload);
            header.WriteString("policy", policy);
        },
        null);

    public static byte[] EncodeLoaded(long id, IReadOnlyList<string> errors) => Encode(
        header =>
        {
            header.WriteString("type", Loaded);
            header.WriteNumber("id", id);
            header.WriteStartArray("errors");
            foreach (var error in errors)
            {
                header.WriteStringValue(error);
            }

            header.WriteEndArray();
        },
        null);

    public static byte[] EncodeVerdict(long id, PolicyVerdict verdict) => Encode(
        header =>
        {
            header.WriteString("type", Verdict);
            header.WriteNumber("id", id);
            switch (verdict)
            {
                case PolicyVerdict.Allowed:
                    header.WriteString("verdict", "allowed");
                    break;
                case PolicyVerdict.Denied denied:
                    header.WriteString("verdict", "denied");
                    header.WriteString("message", denied.Message);
                    break;
                case PolicyVerdict.Failed failed:
                    header.WriteString("verdict", "failed");
                    header.WriteString("message", failed.Error);
                    header.WriteBoolean("timedOut", failed.TimedOut);
                    break;
            }

            header.WriteStartArray("warnings");
            foreach (var warning in verdict.Warnings)
            {
                header.WriteStringValue(warning);
            }

            header.WriteEndArray();
            if (verdict.AuditAnnotations is { Count: > 0 } annotations)
            {
                header.WriteStartObject("annotations");
                foreach (var (key, value) in annotations)
                {
                    header.WriteString(key, value);
                }

                header.WriteEndObject();
            }
        },
        verdict is PolicyVerdict.Allowed { MutatedObject: { } mutated } ? writer => mutated.WriteTo(writer) : null);

    /// <summary>Splits a frame into its header (parsed) and its body (the bytes after the first newline, maybe empty).</summary>
    /// <exception cref="JsonException">The header is not JSON.</exception>
    /// <exception cref="InvalidDataException">The frame has no header line.</exception>
    public static (JsonDocument Header, ReadOnlyMemory<byte> Body) Split(byte[] frame)
    {
        var newline = Array.IndexOf(frame, (byte)'\n');
        if (newline < 0)
        {
            throw new InvalidDataException("a frame without its header line");
        }

        return (JsonDocument.Parse(frame.AsMemory(0, newline), HeaderOptions), frame.AsMemory(newline + 1));
    }

    /// <summary>
    /// A worker's verdict, read without trusting it: the sizes are bounded by the frame's limit and the depth of the
    /// object by <see cref="PolicyOutputLimits.MaxObjectDepth"/>; anything malformed is the policy's failure.
    /// </summary>
    public static PolicyVerdict DecodeVerdict(JsonElement header, ReadOnlyMemory<byte> body, out JsonNode? mutated)
    {
        mutated = null;
        var warnings = header.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
            : [];
        Dictionary<string, string>? annotations = null;
        if (header.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
        {
            annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in a.EnumerateObject())
            {
                annotations[property.Name] = property.Value.GetString() ?? "";
            }
        }

        var message = header.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
        var text = message.Length + warnings.Sum(x => x.Length) + (annotations?.Sum(x => x.Key.Length + x.Value.Length) ?? 0);
        if ((long)text * sizeof(char) > PolicyOutputLimits.MaxTextBytes + 4096)
        {
            return new PolicyVerdict.Failed("its worker process answered with more text than a policy may hand back", TimedOut: false);
        }

        switch (header.GetProperty("verdict").GetString())
        {
            case "allowed":
                if (!body.IsEmpty)
                {
                    mutated = JsonNode.Parse(body.Span, nodeOptions: null, ObjectOptions);
                }

                return new PolicyVerdict.Allowed(null, null, warnings, annotations);
            case "denied":
                return new PolicyVerdict.Denied(message, warnings, annotations);
            case "failed":
                return new PolicyVerdict.Failed(message, header.TryGetProperty("timedOut", out var t) && t.ValueKind == JsonValueKind.True);
            default:
                return new PolicyVerdict.Failed("its worker process answered with an unknown verdict", TimedOut: false);
        }
    }

    private static byte[] Encode(Action<Utf8JsonWriter> writeHeader, Action<Utf8JsonWriter>? writeBody)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var header = new Utf8JsonWriter(buffer))
        {
            header.WriteStartObject();
            writeHeader(header);
            header.WriteEndObject();
        }

        buffer.Write("\n"u8);
        if (writeBody is not null)
        {
            using var body = new Utf8JsonWriter(buffer, WriterOptions);
            writeBody(body);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a JSON object body (the policy's settings, or an object), or null when there is none.</summary>
    public static JsonObject? ReadObject(ReadOnlyMemory<byte> body) =>
        body.IsEmpty ? null : JsonNode.Parse(body.Span, nodeOptions: null, ObjectOptions) as JsonObject;
}
