using System.Text.Json.Nodes;

namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>AdmissionReview request bodies as the API server sends them.</summary>
internal static class Reviews
{
    public static string Pod(string uid, string labelsJson = "{}", string operation = "CREATE", bool dryRun = false, string containerSecurity = "{}")
    {
        var request = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["requestResource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["name"] = "web",
            ["namespace"] = "shop",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "alice", ["groups"] = new JsonArray("system:authenticated") },
            ["object"] = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "shop", ["labels"] = JsonNode.Parse(labelsJson) },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "web", ["image"] = "nginx", ["securityContext"] = JsonNode.Parse(containerSecurity) }),
                },
            },
            ["oldObject"] = null,
            ["dryRun"] = dryRun,
            ["options"] = new JsonObject { ["apiVersion"] = "meta.k8s.io/v1", ["kind"] = "CreateOptions" },
        };
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request }.ToJsonString();
    }

    public static JsonNode Response(string body) => JsonNode.Parse(body)!["response"]!;
}
