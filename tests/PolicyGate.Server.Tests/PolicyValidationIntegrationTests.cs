using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>
/// POST /validate-policies, PolicyGate's webhook for its own objects: kubectl apply of a policy that would not load is
/// refused with the loader's messages; one that loads is allowed, with warnings for rules that can never match.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PolicyValidationIntegrationTests
{
    internal static string Review(string operation, string kind, string? ns, JsonObject spec)
    {
        var metadata = new JsonObject { ["name"] = "candidate" };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        spec["rules"] ??= JsonNode.Parse("""[{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE"]}]""");
        var request = new JsonObject
        {
            ["uid"] = "policy-uid",
            ["kind"] = new JsonObject { ["group"] = "policygate.io", ["version"] = "v1", ["kind"] = kind },
            ["resource"] = new JsonObject { ["group"] = "policygate.io", ["version"] = "v1", ["resource"] = kind == "AdmissionPolicy" ? "admissionpolicies" : "clusteradmissionpolicies" },
            ["name"] = "candidate",
            ["namespace"] = ns,
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "alice" },
            ["object"] = new JsonObject { ["apiVersion"] = "policygate.io/v1", ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec },
        };
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    internal static async Task<JsonNode> JudgeAsync(RunningServer server, string review)
    {
        using var response = await server.PostAsync("/validate-policies", review);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        Assert.Equal("policy-uid", (string?)answer["uid"]);
        return answer;
    }

    [Fact]
    public async Task ApplyOfPoliciesThatWouldNotLoad_RefusedWithTheLoadersMessages()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>());

        var compileError = await JudgeAsync(server, Review("CREATE", "ClusterAdmissionPolicy", null, new JsonObject { ["script"] = "return Nope();" }));
        var sandbox = await JudgeAsync(server, Review("UPDATE", "ClusterAdmissionPolicy", null, new JsonObject { ["script"] = "System.IO.File.ReadAllText(\"/etc/passwd\"); return Allow();" }));
        var settings = await JudgeAsync(server, Review("CREATE", "ClusterAdmissionPolicy", null,
            new JsonObject { ["module"] = "builtin://allowed-sizes", ["settings"] = new JsonObject { ["allowedSizes"] = new JsonArray() } }));
        var fileModule = await JudgeAsync(server, Review("CREATE", "AdmissionPolicy", "shop", new JsonObject { ["module"] = "file:///etc/passwd" }));
        var badSpec = await JudgeAsync(server, Review("CREATE", "ClusterAdmissionPolicy", null, new JsonObject { ["script"] = "return Allow();", ["timeoutSeconds"] = 99 }));

        foreach (var (answer, expected) in new[]
        {
            (compileError, "CS0103"), (sandbox, "PG10"), (settings, "setting 'allowedSizes' must list at least one size"),
            (fileModule, "cannot read the server's files"), (badSpec, "spec.timeoutSeconds"),
        })
        {
            Assert.False((bool)answer["allowed"]!);
            Assert.Equal(422, (int?)answer["status"]!["code"]);
            Assert.Contains(expected, (string?)answer["status"]!["message"], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ApplyOfAGoodPolicy_Allowed_WithAWarningForARuleThatCanNeverMatch()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string>());

        var good = await JudgeAsync(server, Review("CREATE", "AdmissionPolicy", "shop", new JsonObject { ["script"] = "return Allow();" }));
        var unreachable = await JudgeAsync(server, Review("CREATE", "ClusterAdmissionPolicy", null, new JsonObject
        {
            ["module"] = "builtin://allowed-sizes",
            ["settings"] = new JsonObject { ["allowedSizes"] = new JsonArray("small") },
            ["rules"] = JsonNode.Parse("""[{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["sqlclaims"], "operations": ["CREATE"]}]"""),
        }));
        var deleted = await JudgeAsync(server, Review("DELETE", "ClusterAdmissionPolicy", null, new JsonObject { ["script"] = "return Nope();" }));

        Assert.True((bool)good["allowed"]!);
        Assert.Null(good["warnings"]);
        Assert.True((bool)unreachable["allowed"]!);
        Assert.Contains("has no resource \"sqlclaims\"", (string?)unreachable["warnings"]![0], StringComparison.Ordinal);
        Assert.True((bool)deleted["allowed"]!);
    }
}
