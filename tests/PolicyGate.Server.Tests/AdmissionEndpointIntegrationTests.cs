using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class AdmissionEndpointIntegrationTests : IAsyncLifetime
{
    private RunningServer _server = null!;

    public async Task InitializeAsync() => _server = await RunningServer.StartAsync(new Dictionary<string, string>
    {
        ["team.yaml"] = TestPolicyFiles.TeamLabel(),
        ["mutate.yaml"] = TestPolicyFiles.AddManagedBy(),
        ["monitor.yaml"] = TestPolicyFiles.Inline("no-nginx", "return Deny(\"nginx is discouraged\");", extra: "  mode: monitor"),
        ["slow-fail.yaml"] = TestPolicyFiles.Inline("slow-fail", "var n = 0;\nwhile (true)\n{\n    n++;\n}", extra: "  timeoutSeconds: 1\n  failurePolicy: Fail"),
        ["slow-ignore.yaml"] = TestPolicyFiles.Inline("slow-ignore", "var n = 0;\nwhile (true)\n{\n    n++;\n}", extra: "  timeoutSeconds: 1\n  failurePolicy: Ignore"),
        ["throws.yaml"] = TestPolicyFiles.Inline("throws", "throw new InvalidOperationException(\"boom\");", extra: "  failurePolicy: Fail"),
        ["shop-only.yaml"] = TestPolicyFiles.Inline("no-web", "return Name == \"web\" ? Deny(\"shop: no pods named web\") : Allow();")
            .Replace("kind: ClusterAdmissionPolicy", "kind: AdmissionPolicy", StringComparison.Ordinal)
            .Replace("  name: no-web", "  name: no-web\n  namespace: shop", StringComparison.Ordinal),
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task ValidatePolicy_MissingLabel_DeniedWith403AndUidEchoed(string httpVersion)
    {
        using var client = _server.CreateClient(version: Version.Parse(httpVersion));

        using var response = await _server.PostAsync("/validate/team-label", Reviews.Pod("uid-1"), client: client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Version.Parse(httpVersion), response.Version);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("admission.k8s.io/v1", (string?)review["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)review["kind"]);
        var answer = review["response"]!;
        Assert.Equal("uid-1", (string?)answer["uid"]);
        Assert.False((bool)answer["allowed"]!);
        Assert.Equal(403, (int)answer["status"]!["code"]!);
        Assert.Equal("Forbidden", (string?)answer["status"]!["reason"]);
        Assert.Equal("policy team-label denied the request: v1: pods need a team label", (string?)answer["status"]!["message"]);
        Assert.Equal(["checked by v1"], answer["warnings"]!.AsArray().Select(w => (string?)w));
        Assert.Null(answer["patch"]);
    }

    [Fact]
    public async Task ValidatePolicy_LabelPresent_Allowed()
    {
        using var response = await _server.PostAsync("/validate/team-label", Reviews.Pod("uid-2", """{"team":"a"}"""));

        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.True((bool)answer["allowed"]!);
        Assert.Null(answer["status"]);
    }

    [Fact]
    public async Task ValidatePolicy_RequestOutsideItsRules_AllowedWithoutRunning()
    {
        using var response = await _server.PostAsync("/validate/team-label", Reviews.Pod("uid-3", operation: "DELETE"));

        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.True((bool)answer["allowed"]!);
        Assert.Null(answer["warnings"]);
    }

    [Fact]
    public async Task MutatePolicy_ReturnsBase64JsonPatchAndAuditAnnotations()
    {
        using var response = await _server.PostAsync("/mutate/add-managed-by", Reviews.Pod("uid-4", """{"app":"web"}"""));

        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.True((bool)answer["allowed"]!);
        Assert.Equal("JSONPatch", (string?)answer["patchType"]);
        var patch = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String((string)answer["patch"]!)));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1managed-by","value":"policygate"}]"""), patch), patch!.ToJsonString());
        Assert.Equal("add-managed-by", (string?)answer["auditAnnotations"]!["mutated-by"]);
    }

    [Fact]
    public async Task ValidateAll_EveryMatchingPolicy_DenyingOnesNamedWarningsGathered()
    {
        using var response = await _server.PostAsync("/validate", Reviews.Pod("uid-5"));

        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.False((bool)answer["allowed"]!);
        var message = (string)answer["status"]!["message"]!;
        Assert.Contains("policy team-label: v1: pods need a team label", message, StringComparison.Ordinal);
        Assert.True(message.Contains("policy slow-fail: policy slow-fail failed: evaluation stopped: it ran past its time budget (timeoutSeconds: 1)", StringComparison.Ordinal), message);
        Assert.Contains("policy throws: policy throws failed: InvalidOperationException", message, StringComparison.Ordinal);
        Assert.DoesNotContain("no-nginx", message, StringComparison.Ordinal);
        Assert.Contains("policy shop/no-web: shop: no pods named web", message, StringComparison.Ordinal);
        Assert.DoesNotContain("slow-ignore", message, StringComparison.Ordinal);
        var warnings = answer["warnings"]!.AsArray().Select(w => (string)w!).ToList();
        Assert.Contains("checked by v1", warnings);
        Assert.Contains(warnings, w => w.StartsWith("policy no-nginx (monitor mode) would deny: nginx is discouraged", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("policy slow-ignore failed: evaluation stopped: it ran past its time budget (timeoutSeconds: 1)", StringComparison.Ordinal) && w.EndsWith("(allowed, failurePolicy: Ignore)", StringComparison.Ordinal));
        Assert.Null(answer["patch"]);
        var metrics = await _server.Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("policygate_policy_evaluation_timeouts_total{policy=\"slow-fail\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_evaluation_timeouts_total{policy=\"slow-ignore\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("policygate_policy_evaluation_errors_total{policy=\"throws\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("policygate_policy_evaluation_errors_total{policy=\"slow-fail\"}", metrics, StringComparison.Ordinal);

        // The request's one decision line carries each policy's own time: the two that ran out their 1 s budget, not the quick ones.
        Assert.True(LoggedLatencyMs("slow-fail", "uid-5") >= 1000);
        Assert.True(LoggedLatencyMs("slow-ignore", "uid-5") >= 1000);
        Assert.True(LoggedLatencyMs("team-label", "uid-5") < 500);
        Assert.True(LoggedLatencyMs("throws", "uid-5") < 500);
    }

    /// <summary>A policy's latency in the decision line of a request ("...: team-label denied in N.NNN ms; ...").</summary>
    private double LoggedLatencyMs(string policy, string uid)
    {
        var line = Assert.Single(_server.Logs, l => l.Contains("|1010|", StringComparison.Ordinal) && l.Contains($"Request {uid} ", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(line, $@"(?:: |; ){System.Text.RegularExpressions.Regex.Escape(policy)} [a-z-]+ in (\d+\.\d+) ms");
        Assert.True(match.Success, line);
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task MutateAll_OnlyMutatingPoliciesRun()
    {
        using var response = await _server.PostAsync("/mutate", Reviews.Pod("uid-6"));

        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.True((bool)answer["allowed"]!);
        Assert.Equal("JSONPatch", (string?)answer["patchType"]);
    }

    [Fact]
    public async Task ValidateNamespacedPolicy_RoutedByNamespaceAndName()
    {
        using var response = await _server.PostAsync("/validate/shop/no-web", Reviews.Pod("uid-ns"));
        using var clusterName = await _server.PostAsync("/validate/no-web", Reviews.Pod("uid-ns2"));

        Assert.Equal("policy shop/no-web denied the request: shop: no pods named web", (string?)Reviews.Response(await response.Content.ReadAsStringAsync())["status"]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, clusterName.StatusCode);
    }

    [Fact]
    public async Task DryRunRequest_IsJudgedAsUsual()
    {
        using var response = await _server.PostAsync("/validate/team-label", Reviews.Pod("uid-7", dryRun: true));

        Assert.False((bool)Reviews.Response(await response.Content.ReadAsStringAsync())["allowed"]!);
    }

    [Fact]
    public async Task Decision_IsLoggedAsOneStructuredLine()
    {
        using var response = await _server.PostAsync("/validate/team-label", Reviews.Pod("uid-log"));

        var line = Assert.Single(_server.Logs, l => l.Contains("|1010|", StringComparison.Ordinal) && l.Contains("uid-log", StringComparison.Ordinal));
        Assert.Contains("Request uid-log CREATE Pod shop/web denied in ", line, StringComparison.Ordinal);
        Assert.Contains(": team-label denied in ", line, StringComparison.Ordinal);
    }
}
