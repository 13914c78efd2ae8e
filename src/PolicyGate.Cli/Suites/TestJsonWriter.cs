using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// <c>--output json</c>: <c>{"suites": [{"file", "name", "status": passed|failed|broken, "errors": [ERROR], "cases":
/// [{"name", "status": passed|failed|error, "failures": [{"field", "summary", "diff": [LINE]}], "actual": {"allowed",
/// "message", "warnings", "patch"}, "error": ERROR}]}], "errors": [TEXT], "summary": {"suites", "cases", "passed",
/// "failed", "errors", "brokenSuites"}}</c>, where ERROR is <c>{"file", "line", "column", "case", "field", "message"}</c>.
/// </summary>
internal static class TestJsonWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, MaxDepth = 300 };

    public static void Write(TestReport report, TextWriter output)
    {
        var suites = new JsonArray();
        foreach (var suite in report.Suites)
        {
            var cases = new JsonArray();
            foreach (var result in suite.Cases)
            {
                cases.Add(new JsonObject
                {
                    ["name"] = result.Name,
                    ["status"] = result.Status.ToString().ToLowerInvariant(),
                    ["failures"] = new JsonArray(result.Mismatches.Select(m => (JsonNode?)new JsonObject
                    {
                        ["field"] = m.Field,
                        ["summary"] = m.Summary,
                        ["diff"] = new JsonArray(m.Diff.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                    }).ToArray()),
                    ["actual"] = result.Actual?.DeepClone(),
                    ["error"] = result.Error is { } error ? Describe(error) : null,
                });
            }

            suites.Add(new JsonObject
            {
                ["file"] = suite.File,
                ["name"] = suite.Name,
                ["status"] = suite.Broken ? "broken" : suite.Cases.All(c => c.Status == CaseStatus.Passed) ? "passed" : "failed",
                ["errors"] = new JsonArray(suite.Errors.Select(e => (JsonNode?)Describe(e)).ToArray()),
                ["cases"] = cases,
            });
        }

        var root = new JsonObject
        {
            ["suites"] = suites,
            ["errors"] = new JsonArray(report.Errors.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
            ["summary"] = new JsonObject
            {
                ["suites"] = report.Suites.Count,
                ["cases"] = report.CaseCount,
                ["passed"] = report.Count(CaseStatus.Passed),
                ["failed"] = report.Count(CaseStatus.Failed),
                ["errors"] = report.Count(CaseStatus.Error),
                ["brokenSuites"] = report.BrokenCount,
            },
        };
        output.WriteLine(root.ToJsonString(Indented));
    }

    private static JsonObject Describe(SuiteError error) => new()
    {
        ["file"] = error.File,
        ["line"] = error.Line,
        ["column"] = error.Column,
        ["case"] = error.Case,
        ["field"] = error.Field,
        ["message"] = error.Message,
    };
}
