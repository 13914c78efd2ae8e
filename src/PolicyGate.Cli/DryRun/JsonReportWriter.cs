using System.Buffers;
using System.Text;
using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;

namespace PolicyGate.Cli.DryRun;

/// <summary>
/// <c>--output json</c>: <c>{"results": [{"object": {...}, "policy", "mode", "allowed", "outcome", "message",
/// "warnings", "patch"}], "answers": [{"object": {...}, "allowed", "message", "warnings", "patch"}],
/// "errors": [{"source", "message"}], "warnings": [{"source", "message"}]}</c>: one result per (object, matching policy), with that policy's own patch
/// (against the object as the mutating policies before it left it); one answer per judged object, what the API
/// server would be told, with the mutating policies' patches composed.
/// </summary>
internal static class JsonReportWriter
{
    /// <summary>Patches are as deep as an object may be (256 levels) and the report around them; the default is 64.</summary>
    private const int MaxDepth = AdmissionReviewDocument.MaxDepth + 8;

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = MaxDepth };

    private static readonly JsonDocumentOptions PatchReading = new() { MaxDepth = MaxDepth };

    /// <summary>Writes the report straight to JSON text (no tree of nodes in between: a report can hold 10,000s of results).</summary>
    public static void Write(DryRunReport report, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(4096, (report.Results.Count + report.Answers.Count) * 400));
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("results");
            foreach (var result in report.Results)
            {
                var d = result.Decision;
                writer.WriteStartObject();
                Describe(writer, result.Object);
                writer.WriteString("policy", d.Policy);
                writer.WriteString("mode", d.Mode == PolicyMode.Monitor ? "monitor" : "protect");
                writer.WriteBoolean("allowed", d.Allowed);
                writer.WriteString("outcome", d.Outcome.ToString().ToLowerInvariant());
                writer.WriteString("message", d.Message);
                Strings(writer, "warnings", d.Warnings);
                writer.WritePropertyName("patch");
                if (d.Patch is { } patch)
                {
                    patch.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("answers");
            foreach (var answer in report.Answers)
            {
                var response = answer.Response;
                writer.WriteStartObject();
                Describe(writer, answer.Object);
                writer.WriteBoolean("allowed", response.Allowed);
                writer.WriteString("message", response.Status?.Message);
                Strings(writer, "warnings", response.Warnings ?? []);
                writer.WritePropertyName("patch");
                if (response.Patch is { } patch)
                {
                    using var document = JsonDocument.Parse(patch, PatchReading);
                    document.RootElement.WriteTo(writer);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            Messages(writer, "errors", report.Errors.Select(e => (e.Source, e.Message)));
            Messages(writer, "warnings", report.Warnings.Select(w => (w.Source, w.Message)));
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static void Strings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void Messages(Utf8JsonWriter writer, string name, IEnumerable<(string Source, string Message)> messages)
    {
        writer.WriteStartArray(name);
        foreach (var (source, message) in messages)
        {
            writer.WriteStartObject();
            writer.WriteString("source", source);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void Describe(Utf8JsonWriter writer, DryRunObject obj)
    {
        writer.WriteStartObject("object");
        writer.WriteString("apiVersion", obj.ApiVersion);
        writer.WriteString("kind", obj.Kind);
        writer.WriteString("namespace", obj.Namespace);
        writer.WriteString("name", obj.Name);
        writer.WriteString("source", obj.Source);
        writer.WriteEndObject();
    }
}
