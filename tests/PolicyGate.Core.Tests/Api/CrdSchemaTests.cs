using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Serialization;
using PolicyGate.Tests.TestSupport;

namespace PolicyGate.Core.Tests.Api;

/// <summary>
/// The CRDs in deploy/crds/ and the file loader (<see cref="PolicyResourceParser"/>) enforce the same spec: the same
/// fields, and the same verdict on every spec of a corpus of good and malformed ones, so a policy <c>kubectl apply</c>
/// takes is one <c>policygate dry-run</c> loads, and the other way round.
/// </summary>
public class CrdSchemaTests
{
    private static readonly string Crds = Path.Combine(RepoPaths.Root, "deploy", "crds");

    private static JsonObject Crd(string plural) =>
        YamlJson.ParseSingle(File.ReadAllText(Path.Combine(Crds, plural + ".yaml")), plural + ".yaml")!.AsObject();

    private static JsonObject Version(string plural) => Crd(plural)["spec"]!["versions"]!.AsArray().Single()!.AsObject();

    private static JsonObject Schema(string plural) => Version(plural)["schema"]!["openAPIV3Schema"]!.AsObject();

    [Theory]
    [InlineData("clusteradmissionpolicies", "ClusterAdmissionPolicy", "Cluster", "cap")]
    [InlineData("admissionpolicies", "AdmissionPolicy", "Namespaced", "ap")]
    public void Crd_NamesScopeStatusAndColumns_AsKubectlShowsThem(string plural, string kind, string scope, string shortName)
    {
        var crd = Crd(plural);
        var version = Version(plural);

        Assert.Equal($"{plural}.policygate.io", (string?)crd["metadata"]!["name"]);
        Assert.Equal("policygate.io", (string?)crd["spec"]!["group"]);
        Assert.Equal(scope, (string?)crd["spec"]!["scope"]);
        Assert.Equal(kind, (string?)crd["spec"]!["names"]!["kind"]);
        Assert.Equal([shortName], crd["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("v1", (string?)version["name"]);
        Assert.True((bool?)version["served"] == true && (bool?)version["storage"] == true);
        Assert.NotNull(version["subresources"]?["status"]);
        Assert.Equal(
            ["Mode:.spec.mode", "Mutating:.spec.mutating", "Ready:.status.conditions[?(@.type==\"Ready\")].status", "Age:.metadata.creationTimestamp"],
            version["additionalPrinterColumns"]!.AsArray().Select(c => $"{c!["name"]}:{c["jsonPath"]}"));
    }

    [Fact]
    public void Crds_SpecSchemas_AreTheSameButForTheTenantsIsolationRule()
    {
        var cluster = Schema("clusteradmissionpolicies")["properties"]!["spec"]!.DeepClone().AsObject();
        var tenant = Schema("admissionpolicies")["properties"]!["spec"]!.DeepClone().AsObject();
        var tenantRules = tenant["x-kubernetes-validations"]!.AsArray();

        Assert.Contains(tenantRules, r => ((string?)r!["rule"])!.Contains("inProcess", StringComparison.Ordinal));
        tenantRules.RemoveAt(tenantRules.Count - 1);
        Assert.True(JsonNode.DeepEquals(cluster, tenant), "the two CRDs' spec schemas differ beyond the isolation rule");
    }

    [Fact]
    public void Crd_SpecFields_AreTheFileLoadersFields()
    {
        // The loader names its known fields when it meets an unknown one.
        var result = PolicyResourceParser.Parse(Policy("ClusterAdmissionPolicy", "{script: x, rules: [], zz: 1}"), "p.yaml");
        var error = Assert.Single(result.Errors, e => e.StartsWith("spec.zz: unknown field", StringComparison.Ordinal));
        var known = error[(error.IndexOf("known: ", StringComparison.Ordinal) + 7)..].TrimEnd(')').Split(", ").Order(StringComparer.Ordinal);

        var inSchema = Schema("clusteradmissionpolicies")["properties"]!["spec"]!["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal);

        Assert.Equal(known, inSchema);
    }

    private const string Rule = "{apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE]}";

    /// <summary>Specs both must accept, then specs both must refuse (each breaks one thing the schema can express).</summary>
    public static TheoryData<string, string, bool> Specs() => new()
    {
        { "ClusterAdmissionPolicy", $"{{script: 'return Allow();', rules: [{Rule}]}}", true },
        { "ClusterAdmissionPolicy", $"{{module: 'builtin://run-as-non-root', rules: [{Rule}], mutating: true, mode: monitor, failurePolicy: Ignore, timeoutSeconds: 30, message: no, isolation: process, settings: {{a: [1, {{b: c}}]}}}}", true },
        { "ClusterAdmissionPolicy", $"{{module: 'file://p.csx', rules: [{{apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*', 'pods/exec'], operations: ['*'], scope: Namespaced}}]}}", true },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], namespaceSelector: {{matchLabels: {{team: a}}, matchExpressions: [{{key: env, operator: In, values: [prod]}}, {{key: x, operator: Exists}}]}}, objectSelector: {{}}}}", true },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], timeoutSeconds: 1, isolation: inProcess}}", true },
        { "AdmissionPolicy", $"{{module: 'builtin://capabilities', rules: [{Rule}], isolation: inProcess}}", true },
        { "AdmissionPolicy", $"{{script: x, rules: [{Rule}], isolation: process}}", true },
        { "ClusterAdmissionPolicy", $"{{module: 'configmap://policy-scripts/team.rules/policy.csx', rules: [{Rule}]}}", true },

        { "ClusterAdmissionPolicy", $"{{rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, module: 'builtin://a', rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", "{script: x}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: []}", false },
        { "ClusterAdmissionPolicy", $"{{module: 'registry://ghcr.io/x', rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{module: 'builtin:/x', rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{module: 'configmap://policy-scripts/team', rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{module: 'configmap://Scripts/team/policy.csx', rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{script: 5, rules: [{Rule}]}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], mode: enforce}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], failurePolicy: fail}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], timeoutSeconds: 0}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], timeoutSeconds: 31}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], timeoutSeconds: '10'}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], mutating: 'yes'}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], settings: [1]}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], isolation: sandbox}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], message: [a]}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], unknown: 1}}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: [pods]}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [PATCH]}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: [pods], operations: []}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: ['pods/status/x'], operations: [CREATE]}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: ['/status'], operations: [CREATE]}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE], scope: Global}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE], verbs: [get]}]}", false },
        { "ClusterAdmissionPolicy", "{script: x, rules: [{apiGroups: '', apiVersions: [v1], resources: [pods], operations: [CREATE]}]}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], namespaceSelector: {{matchLabels: {{team: 5}}}}}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], namespaceSelector: {{matchExpressions: [{{key: env, operator: In}}]}}}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], objectSelector: {{matchExpressions: [{{key: env, operator: Exists, values: [a]}}]}}}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], objectSelector: {{matchExpressions: [{{key: env, operator: Equals, values: [a]}}]}}}}", false },
        { "ClusterAdmissionPolicy", $"{{script: x, rules: [{Rule}], objectSelector: {{matchLabel: {{a: b}}}}}}", false },
        { "AdmissionPolicy", $"{{script: x, rules: [{Rule}], isolation: inProcess}}", false },
        { "AdmissionPolicy", $"{{module: 'file://p.csx', rules: [{Rule}], isolation: inProcess}}", false },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Spec_CrdAndFileLoader_GiveTheSameVerdict(string kind, string spec, bool valid)
    {
        var plural = kind == "AdmissionPolicy" ? "admissionpolicies" : "clusteradmissionpolicies";
        var policy = Policy(kind, spec);

        var loader = PolicyResourceParser.Parse(policy, "p.yaml");
        var schema = StructuralSchema.Validate(Schema(plural), policy);

        Assert.True(loader.Succeeded == valid, $"{spec}: file loader: {(loader.Succeeded ? "accepted" : string.Join("; ", loader.Errors))}");
        Assert.True(schema.Count == 0 == valid, $"{spec}: CRD schema: {(schema.Count == 0 ? "accepted" : string.Join("; ", schema))}");
    }

    private static JsonObject Policy(string kind, string spec) => YamlJson.ParseSingle($$"""
        apiVersion: policygate.io/v1
        kind: {{kind}}
        metadata: {name: p{{(kind == "AdmissionPolicy" ? ", namespace: shop" : "")}}}
        spec: {{spec}}
        """, "p.yaml")!.AsObject();
}
