using System.Text;
using System.Text.Json;
using PolicyGate.Core.Serialization;
using PolicyGate.Fuzz.Tests.Fuzzing;
using Xunit.Abstractions;

namespace PolicyGate.Fuzz.Tests;

/// <summary>
/// The manifest loader's fast YAML path (<see cref="YamlJson.ParseDocumentsAsJson"/>) against the full path
/// (<see cref="YamlJson.ParseDocuments"/>) on the manifest surface's mutated inputs: whatever the mutation, the same
/// documents, indexes, lines, errors and positions, and byte-identical JSON. In-process, so it runs many cases.
/// </summary>
public sealed class BlockYamlFuzzTests(ITestOutputHelper output)
{
    private const string Surface = "block-yaml";

    private static readonly IReadOnlyList<SeedInput> Seeds = SeedInput.Load(
        "policies/examples/manifests",
        "tests/fixtures/manifests",
        "tests/fixtures/fuzz/manifests",
        "tests/fixtures/conformance/pod-security-admission");

    [Fact]
    public async Task ParseDocumentsAsJson_MutatedManifests_SameAsFullPath()
    {
        var fastDocuments = 0;
        var fullDocuments = 0;
        using (var run = new FuzzRun(Surface, $"FullyQualifiedName~{nameof(BlockYamlFuzzTests)}", output))
        {
            await run.RunAsync(
                defaultCount: 600,
                seed => FuzzCase.Create(Surface, seed, Seeds),
                (fuzzCase, _) =>
                {
                    var text = Encoding.UTF8.GetString(fuzzCase.Bytes);
                    var problems = Differences(text);
                    foreach (var result in YamlJson.ParseDocumentsAsJson(text))
                    {
                        if (result.Element is null)
                        {
                            Interlocked.Increment(ref fullDocuments);
                        }
                        else
                        {
                            Interlocked.Increment(ref fastDocuments);
                        }
                    }

                    return Task.FromResult(problems);
                });
        }

        output.WriteLine($"documents read by the fast path: {fastDocuments}, by the full path: {fullDocuments}");
        Assert.True(fastDocuments > 0 && fullDocuments > 0, $"both paths must be exercised (fast {fastDocuments}, full {fullDocuments})");
    }

    private static List<string> Differences(string text)
    {
        var full = YamlJson.ParseDocuments(text);
        var fast = YamlJson.ParseDocumentsAsJson(text);
        if (full.Count != fast.Count)
        {
            return [$"{full.Count} documents by the full path, {fast.Count} by the fast one"];
        }

        var differences = new List<string>();
        for (var i = 0; i < full.Count; i++)
        {
            var (a, b) = (full[i], fast[i]);
            if ((a.Index, a.Line, a.Column, a.Error) != (b.Index, b.Line, b.Column, b.Error))
            {
                differences.Add($"document {i}: full ({a.Index}, line {a.Line}, column {a.Column}, {a.Error}), fast ({b.Index}, line {b.Line}, column {b.Column}, {b.Error})");
                continue;
            }

            if (b.Element is { } element)
            {
                var expected = JsonSerializer.SerializeToElement(a.Node).GetRawText();
                if (expected != element.GetRawText())
                {
                    differences.Add($"document {i}: full {expected}, fast {element.GetRawText()}");
                }
            }
        }

        return differences;
    }
}
