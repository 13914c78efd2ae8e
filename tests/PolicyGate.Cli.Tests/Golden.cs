using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// Compares JSON output with a golden file in tests/fixtures/golden, semantically. Set POLICYGATE_UPDATE_GOLDEN=1
/// to rewrite the golden files from the current output, then review the diff.
/// </summary>
internal static class Golden
{
    public static void AssertJson(string name, string actualJson)
    {
        var path = CliRunner.Fixture(Path.Combine("golden", name));
        var actual = JsonNode.Parse(actualJson.Replace(CliRunner.Root, "<repo>", StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("POLICYGATE_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        }

        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests with POLICYGATE_UPDATE_GOLDEN=1 to create it");
        var expected = JsonNode.Parse(File.ReadAllText(path));
        Assert.True(JsonNode.DeepEquals(expected, actual), $"output differs from {path}:\n{actual}");
    }
}
