using System.Text.Json;
using System.Text.Json.Nodes;
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

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = MaxDepth };

    private static readonly JsonDocumentOptions PatchReading = new() { MaxDepth = MaxDepth };

    public static void Write(DryRunReport report, TextWriter output)
    {
        var results = new JsonArray();
        foreach (var result in report.Results)
        {
            var d = result.Decision;
            results.Add(new JsonObject
            {
                ["object"] = Describe(result.Object),
                ["policy"] = d.Policy,
                ["mode"] = d.Mode == PolicyMode.Monitor ? "monitor" : "protect",
                ["allowed"] = d.Allowed,
                ["outcome"] = d.Outcome.ToString().ToLowerInvariant(),
                ["message"] = d.Message,
                ["warnings"] = Strings(d.Warnings),
                ["patch"] = d.Patch?.DeepClone(),
            });
        }

        var answers = new JsonArray();
        foreach (var answer in report.Answers)
        {
            var response = answer.Response;
            answers.Add(new JsonObject
            {
                ["object"] = Describe(answer.Object),
                ["allowed"] = response.Allowed,
                ["message"] = response.Status?.Message,
                ["warnings"] = Strings(response.Warnings ?? []),
                ["patch"] = response.Patch is { } patch ? JsonNode.Parse(patch, documentOptions: PatchReading) : null,
            });
        }

        var errors = new JsonArray(report.Errors
            .Select(e => (JsonNode?)new JsonObject { ["source"] = e.Source, ["message"] = e.Message })
            .ToArray());
        var warnings = new JsonArray(report.Warnings
            .Select(w => (JsonNode?)new JsonObject { ["source"] = w.Source, ["message"] = w.Message })
            .ToArray());
        var root = new JsonObject { ["results"] = results, ["answers"] = answers, ["errors"] = errors, ["warnings"] = warnings };
        output.WriteLine(root.ToJsonString(Indented));
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    private static JsonObject Describe(DryRunObject obj) => new()
    {
        ["apiVersion"] = obj.ApiVersion,
        ["kind"] = obj.Kind,
        ["namespace"] = obj.Namespace,
        ["name"] = obj.Name,
        ["source"] = obj.Source,
    };
}
