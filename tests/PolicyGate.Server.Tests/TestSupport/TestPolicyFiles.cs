namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>Policy files the server tests load.</summary>
internal static class TestPolicyFiles
{
    public static string Inline(string name, string script, bool mutating = false, string extra = "") => $$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: {{name}}
        spec:
          mutating: {{(mutating ? "true" : "false")}}
          rules:
          - apiGroups: [""]
            apiVersions: ["v1"]
            resources: ["pods"]
            operations: ["CREATE", "UPDATE"]
        {{extra}}
          script: |
        {{string.Join("\n", script.Split('\n').Select(l => "    " + l))}}
        """;

    /// <summary>Denies pods without a <c>team</c> label; the message says which version of the policy answered.</summary>
    public static string TeamLabel(string version = "v1") =>
        Inline("team-label", $$"""
            Warn("checked by {{version}}");
            return Metadata?.Labels?.ContainsKey("team") == true ? Allow() : Deny("{{version}}: pods need a team label");
            """);

    public static string AddManagedBy() =>
        Inline("add-managed-by", """
            var o = Object!;
            var labels = o["metadata"]!["labels"] as JsonObject ?? new JsonObject();
            labels["app.kubernetes.io/managed-by"] = "policygate";
            o["metadata"]!["labels"] = labels;
            AuditAnnotation("mutated-by", "add-managed-by");
            return Mutate(o);
            """, mutating: true);
}
