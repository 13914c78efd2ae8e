using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;

namespace PolicyGate.Cli.DryRun;

/// <summary>
/// <c>--output json</c>: <c>{"results": [{"object": {...}, "policy", "mode", "allowed", "outcome", "message",
/// "warnings", "patch"}], "errors": [{"source", "message"}]}</c>, one result per (object, matching policy).
/// </summary>
internal static class JsonReportWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(DryRunReport report, TextWriter output)
    {
        var results = new JsonArray();
        foreach (var result in report.Results)
        {
            var d = result.Decision;
            results.Add(new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["apiVersion"] = result.Object.ApiVersion,
                    ["kind"] = result.Object.Kind,
                    ["namespace"] = result.Object.Namespace,
                    ["name"] = result.Object.Name,
                    ["source"] = result.Object.Source,
                },
                ["policy"] = d.Policy,
                ["mode"] = d.Mode == PolicyMode.Monitor ? "monitor" : "protect",
                ["allowed"] = d.Allowed,
                ["outcome"] = d.Outcome.ToString().ToLowerInvariant(),
                ["message"] = d.Message,
                ["warnings"] = new JsonArray(d.Warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
                ["patch"] = d.Patch?.DeepClone(),
            });
        }

        var errors = new JsonArray(report.Errors
            .Select(e => (JsonNode?)new JsonObject { ["source"] = e.Source, ["message"] = e.Message })
            .ToArray());
        var root = new JsonObject { ["results"] = results, ["errors"] = errors };
        output.WriteLine(root.ToJsonString(Indented));
    }
}
