using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Manifests;
using PolicyGate.Core.Patch;
using PolicyGate.Server.Tests.TestSupport;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// dry-run, run and serve give the answer the API server would get for the same objects and policies (issue 10): a
/// mutating run-as-non-root beside a validating one, plus a second mutating policy whose patch is composed with it.
/// </summary>
public sealed class ClusterAnswerTests : IDisposable
{
    private static readonly string Policies = Fixture("cli/mutate-then-validate/policies.yaml");
    private static readonly string Pods = Fixture("cli/mutate-then-validate/pods.yaml");

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void DryRun_MutatingBesideValidating_ValidatorJudgesTheMutatedObject()
    {
        var result = Invoke("dry-run", "--policy", Policies, "--manifests", Pods, "--output", "json");

        Assert.Equal(ExitCodes.Denied, result.ExitCode); // the root pod only
        var json = JsonNode.Parse(result.Out)!;
        var unset = json["results"]!.AsArray().Where(r => r!["object"]!["name"]!.GetValue<string>() == "unset").ToList();

        // Each policy's own decision, in the order the API server runs them: mutating by name, then validating.
        Assert.Equal(["drop-all", "set-non-root", "must-run-as-non-root"], unset.Select(r => r!["policy"]!.GetValue<string>()));
        Assert.Equal(["mutated", "mutated", "allowed"], unset.Select(r => r!["outcome"]!.GetValue<string>()));

        // set-non-root's own patch is against the object as drop-all left it.
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"op":"add","path":"/spec/securityContext","value":{"runAsNonRoot":true}}]"""),
            unset[1]!["patch"]));

        var answer = Answer(json, "unset");
        Assert.True(answer["allowed"]!.GetValue<bool>());
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""[{"op":"add","path":"/spec/containers/0/securityContext","value":{"capabilities":{"drop":["ALL"]}}},{"op":"add","path":"/spec/securityContext","value":{"runAsNonRoot":true}}]"""),
            answer["patch"]), answer["patch"]?.ToJsonString());
        Assert.False(Answer(json, "root")["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DryRunRunAndServe_SameObjectsAndPolicies_GiveTheSameAnswers()
    {
        var manifests = ManifestLoader.Load([Pods]);
        Assert.Empty(manifests.Errors);
        var dryRun = JsonNode.Parse(Invoke("dry-run", "--policy", Policies, "--manifests", Pods, "--output", "json").Out)!;

        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["policies.yaml"] = await File.ReadAllTextAsync(Policies) });
        foreach (var document in manifests.Documents)
        {
            var name = document.Object["metadata"]!["name"]!.GetValue<string>();
            var review = Review(AdmissionRequestFactory.Create(document.Object, document.Source));

            // dry-run: the per-object answer.
            var fromDryRun = Answer(dryRun, name);
            var dryRunObject = Patched(document.Object, fromDryRun["patch"] as JsonArray);

            // run: the AdmissionReview response.
            var reviewFile = _temp.File(name + ".json");
            await File.WriteAllTextAsync(reviewFile, review.ToJsonString());
            var run = Invoke("run", "--policy", Policies, "--request", reviewFile);
            var fromRun = JsonNode.Parse(run.Out)!["response"]!;
            var runObject = Patched(document.Object, Patch(fromRun));

            // serve: what the API server does with two webhooks, /mutate then /validate on the patched object.
            var mutate = JsonNode.Parse(await (await server.PostAsync("/mutate", review.ToJsonString())).Content.ReadAsStringAsync())!["response"]!;
            var serveObject = Patched(document.Object, Patch(mutate));
            var serveAllowed = mutate["allowed"]!.GetValue<bool>();
            if (serveAllowed)
            {
                review["request"]!["object"] = serveObject.DeepClone();
                var validate = JsonNode.Parse(await (await server.PostAsync("/validate", review.ToJsonString())).Content.ReadAsStringAsync())!["response"]!;
                serveAllowed = validate["allowed"]!.GetValue<bool>();
            }

            var expectAllowed = name == "unset";
            Assert.Equal(expectAllowed, fromDryRun["allowed"]!.GetValue<bool>());
            Assert.Equal(expectAllowed, fromRun["allowed"]!.GetValue<bool>());
            Assert.Equal(expectAllowed ? ExitCodes.Success : ExitCodes.Denied, run.ExitCode);
            Assert.Equal(expectAllowed, serveAllowed);
            if (expectAllowed)
            {
                Assert.True(JsonNode.DeepEquals(dryRunObject, runObject), $"{name}: dry-run {dryRunObject.ToJsonString()} / run {runObject.ToJsonString()}");
                Assert.True(JsonNode.DeepEquals(dryRunObject, serveObject), $"{name}: dry-run {dryRunObject.ToJsonString()} / serve {serveObject.ToJsonString()}");
                Assert.True(dryRunObject["spec"]!["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
            }
        }
    }

    [Fact]
    public void DryRun_PatchNestedDeeperThan64_ReportedInJson()
    {
        // The composed patch was read back for the report with System.Text.Json's default depth of 64: internal error.
        var result = Invoke("dry-run", "--policy", Fixture("cli/deep-mutation/policy.yaml"), "--manifests", Fixture("cli/deep-mutation/configmap.yaml"), "--output", "json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var patch = Answer(JsonNode.Parse(result.Out, documentOptions: new JsonDocumentOptions { MaxDepth = 512 })!, "c")["patch"]!.AsArray();
        var value = patch.Single()!["value"]!["deep"];
        var depth = 0;
        while (value is JsonArray array)
        {
            value = array.Single();
            depth++;
        }

        Assert.Equal(100, depth);
        Assert.Equal("leaf", value!.GetValue<string>());
    }

    private static JsonNode Answer(JsonNode dryRun, string name) =>
        dryRun["answers"]!.AsArray().Single(a => a!["object"]!["name"]!.GetValue<string>() == name)!;

    private static JsonArray? Patch(JsonNode response) =>
        response["patch"] is { } patch ? JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(patch.GetValue<string>())))!.AsArray() : null;

    private static JsonNode Patched(JsonObject original, JsonArray? patch) =>
        patch is null ? original.DeepClone() : JsonPatch.Apply(original.DeepClone(), patch)!;

    private static JsonObject Review(AdmissionRequest request) => new()
    {
        ["apiVersion"] = AdmissionReview.ApiVersionV1,
        ["kind"] = AdmissionReview.KindName,
        ["request"] = JsonSerializer.SerializeToNode(request, AdmissionJson.Options),
    };
}
