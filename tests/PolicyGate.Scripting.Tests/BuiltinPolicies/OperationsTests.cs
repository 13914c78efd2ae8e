using System.Text.Json.Nodes;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

/// <summary>What the built-ins do on each operation: DELETE carries no object (only the old one), so there is nothing to judge.</summary>
public class OperationsTests
{
    public static TheoryData<string, string> Builtins() => new()
    {
        { "validate-pod-security-standards", "{requiredLabels: [team], requiredAnnotations: [owner], enforceRunAsNonRoot: true, allowedCapabilities: []}" },
        { "required-labels", "{requiredLabels: [team], requiredAnnotations: [owner], labelPatterns: {app: '^ok$'}}" },
        { "run-as-non-root", "{}" },
        { "capabilities", "{allowedCapabilities: [], requiredDropCapabilities: [ALL]}" },
        { "resource-limits", "{requireLimits: true, maxLimits: {cpu: '1'}}" },
        { "pvc-size", "{maxStorage: 1Gi}" },
        { "allowed-sizes", "{allowedSizes: [small]}" },
    };

    /// <summary>An object that breaks every built-in above: a root pod without labels, limits or drops, and a huge claim.</summary>
    private static JsonObject Offender(string module) => module switch
    {
        "pvc-size" => JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "team-a"},
             "spec": {"resources": {"requests": {"storage": "1Ti"}}}}
            """)!.AsObject(),
        "allowed-sizes" => JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "SQLClaim", "metadata": {"name": "db", "namespace": "team-a"}, "spec": {"size": "xxl"}}
            """)!.AsObject(),
        _ => Workloads.Wrap(
            "Deployment",
            """{"containers": [{"name": "app", "securityContext": {"runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"]}}, "resources": {"limits": {"cpu": "8"}}}]}""",
            """{"app": "bad"}"""),
    };

    [Theory]
    [MemberData(nameof(Builtins))]
    public void Decide_Delete_Allowed(string module, string settings)
    {
        var policy = TestPolicies.Builtin(module, settings);

        BuiltinAssert.Allowed(TestPolicies.Decide(policy, Offender(module), "DELETE"));
    }

    [Theory]
    [MemberData(nameof(Builtins))]
    public void Decide_CreateAndUpdate_Denied(string module, string settings)
    {
        var policy = TestPolicies.Builtin(module, settings);

        BuiltinAssert.Denied(TestPolicies.Decide(policy, Offender(module), "CREATE"));
        BuiltinAssert.Denied(TestPolicies.Decide(policy, Offender(module), "UPDATE"));
    }
}
