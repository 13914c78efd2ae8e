using System.Text;
using System.Text.Json.Nodes;
using PolicyGate.Core.Serialization;
using PolicyGate.Kubernetes.Certificates;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

public sealed class WebhookConfigCommandTests : IDisposable
{
    private static readonly string Policies = Fixture("cli/webhook-config/policies");
    private static readonly string ClusterPolicies = Fixture("cli/webhook-config/policies/cluster.yaml");
    private static readonly string MutatingPolicy = Fixture("cli/webhook-config/policies/nested/mutating.yml");
    private static readonly string BrokenPolicies = Fixture("cli/webhook-config/broken");

    private readonly TempDirectory _temp = new();
    private readonly string _caCrt;
    private readonly string _caPem;

    public WebhookConfigCommandTests()
    {
        _caPem = CertificateGenerator.Generate(new ServingCertificateRequest("policygate", "policygate-system")).CaCertificatePem;
        _caCrt = _temp.File("ca.crt");
        File.WriteAllText(_caCrt, _caPem);
    }

    public void Dispose() => _temp.Dispose();

    private static CliOutput WebhookConfig(string policies, params string[] extra) =>
        Invoke(["webhook-config", "--policies", policies, "--service", "policygate", "--namespace", "policygate-system", .. extra]);

    /// <summary>Runs webhook-config with --ca-bundle ca.crt, asserts success, and parses the YAML back.</summary>
    private List<JsonObject> Documents(string policies, params string[] extra) => DocumentsWithCa(_caCrt, policies, extra);

    private static List<JsonObject> DocumentsWithCa(string caFile, string policies, params string[] extra)
    {
        var result = WebhookConfig(policies, ["--ca-bundle", caFile, .. extra]);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("", result.Error);
        var documents = YamlJson.ParseDocuments(result.Out);
        Assert.All(documents, d => Assert.Null(d.Error));
        return documents.Select(d => d.Node!.AsObject()).ToList();
    }

    private static JsonObject Webhook(IEnumerable<JsonObject> documents, string name) =>
        documents.SelectMany(d => d["webhooks"]!.AsArray()).Single(w => w!["name"]!.GetValue<string>() == name)!.AsObject();

    private static List<string?> Strings(JsonNode? node) => node!.AsArray().Select(n => n?.GetValue<string>()).ToList();

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString());

    [Fact]
    public void WebhookConfig_PolicyFolder_OneWebhookPerPolicySplitIntoValidatingAndMutating()
    {
        var documents = Documents(Policies);

        Assert.Equal(2, documents.Count);
        Assert.Equal("ValidatingWebhookConfiguration", documents[0]["kind"]!.GetValue<string>());
        Assert.Equal("MutatingWebhookConfiguration", documents[1]["kind"]!.GetValue<string>());
        Assert.All(documents, d => Assert.Equal("admissionregistration.k8s.io/v1", d["apiVersion"]!.GetValue<string>()));
        Assert.Equal(
            ["required-labels.policygate.io", "pvc-size.policygate.io", "sizes.shop.policygate.io", "policies.validate.policygate.io"],
            documents[0]["webhooks"]!.AsArray().Select(w => w!["name"]!.GetValue<string>()));
        Assert.Equal(["drop-all.policygate.io"], documents[1]["webhooks"]!.AsArray().Select(w => w!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void WebhookConfig_Output_SeparatesTheConfigurationsWithADocumentMarker()
    {
        var result = WebhookConfig(Policies, "--ca-bundle", _caCrt);

        Assert.StartsWith("apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n", result.Out, StringComparison.Ordinal);
        Assert.Single(result.Out.Split('\n'), l => l == "---");
        Assert.EndsWith("\n", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_Output_PassesTheApiServersChecks()
    {
        var documents = Documents(Policies);

        Assert.All(documents, d => Assert.Empty(AdmissionRegistrationChecks.Check(d)));
    }

    [Fact]
    public void AdmissionRegistrationChecks_MistakesInAConfiguration_AreFound()
    {
        var configuration = Documents(ClusterPolicies)[0];
        var webhook = configuration["webhooks"]![0]!.AsObject();
        webhook["sideEffect"] = "None";
        webhook["timeoutSeconds"] = 31;
        webhook["name"] = "policygate.io";
        webhook["clientConfig"]!["service"]!["path"] = "validate";

        Assert.Equal(4, AdmissionRegistrationChecks.Check(configuration).Count);
    }

    [Fact]
    public void WebhookConfig_Metadata_NamedPolicyGateWithTheNameLabel()
    {
        foreach (var document in Documents(Policies))
        {
            AssertJson("""{"name":"policygate","labels":{"app.kubernetes.io/name":"policygate"}}""", document["metadata"]);
        }
    }

    [Fact]
    public void WebhookConfig_ClientConfig_ServicePathPortAndCaBundle()
    {
        var documents = Documents(Policies);

        AssertJson(
            """{"name":"policygate","namespace":"policygate-system","path":"/validate/required-labels","port":8443}""",
            Webhook(documents, "required-labels.policygate.io")["clientConfig"]!["service"]);
        Assert.Equal("/validate/shop/sizes", Webhook(documents, "sizes.shop.policygate.io")["clientConfig"]!["service"]!["path"]!.GetValue<string>());
        Assert.Equal("/mutate/drop-all", Webhook(documents, "drop-all.policygate.io")["clientConfig"]!["service"]!["path"]!.GetValue<string>());
        foreach (var webhook in documents.SelectMany(d => d["webhooks"]!.AsArray()))
        {
            var caBundle = webhook!["clientConfig"]!["caBundle"]!.GetValue<string>();
            Assert.Equal(_caPem, Encoding.UTF8.GetString(Convert.FromBase64String(caBundle)));
        }
    }

    [Fact]
    public void WebhookConfig_PortOption_UsedByEveryWebhook()
    {
        var documents = Documents(Policies, "--port", "443");

        Assert.All(documents.SelectMany(d => d["webhooks"]!.AsArray()), w => Assert.Equal(443, w!["clientConfig"]!["service"]!["port"]!.GetValue<long>()));
    }

    [Fact]
    public void WebhookConfig_CaBundleFileHoldingBase64_GivesTheSameCaBundle()
    {
        var base64File = _temp.File("ca.b64");
        File.WriteAllText(base64File, Convert.ToBase64String(Encoding.UTF8.GetBytes(_caPem)) + "\n");

        var fromPem = Webhook(Documents(MutatingPolicy), "drop-all.policygate.io");
        var fromBase64 = Webhook(DocumentsWithCa(base64File, MutatingPolicy), "drop-all.policygate.io");

        Assert.Equal(fromPem["clientConfig"]!["caBundle"]!.GetValue<string>(), fromBase64["clientConfig"]!["caBundle"]!.GetValue<string>());
    }

    [Fact]
    public void WebhookConfig_PolicyWithEveryField_RulesSelectorsFailurePolicyAndTimeoutCopied()
    {
        var webhook = Webhook(Documents(Policies), "required-labels.policygate.io");

        AssertJson(
            """
            [{"operations":["CREATE","UPDATE"],"apiGroups":["","apps"],"apiVersions":["v1"],"resources":["pods","deployments"],"scope":"*"},
             {"operations":["*"],"apiGroups":["batch"],"apiVersions":["*"],"resources":["jobs/*"],"scope":"Namespaced"}]
            """,
            webhook["rules"]);
        AssertJson(
            """
            {"matchLabels":{"env":"prod","tier":"1"},
             "matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system","policygate"]},
                                 {"key":"team","operator":"Exists"},
                                 {"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["policygate-system"]}]}
            """,
            webhook["namespaceSelector"]);
        AssertJson("""{"matchLabels":{"policygate.io/enforce":"true"}}""", webhook["objectSelector"]);
        Assert.Equal("Ignore", webhook["failurePolicy"]!.GetValue<string>());
        Assert.Equal(5, webhook["timeoutSeconds"]!.GetValue<long>());
    }

    [Fact]
    public void WebhookConfig_PolicyWithDefaults_FixedFieldsAndOnlyTheOwnNamespaceLeftOut()
    {
        var webhook = Webhook(Documents(Policies), "pvc-size.policygate.io");

        Assert.Equal("Fail", webhook["failurePolicy"]!.GetValue<string>());
        Assert.Equal(10, webhook["timeoutSeconds"]!.GetValue<long>());
        Assert.Equal("None", webhook["sideEffects"]!.GetValue<string>());
        Assert.Equal("Equivalent", webhook["matchPolicy"]!.GetValue<string>());
        Assert.Equal(["v1"], Strings(webhook["admissionReviewVersions"]));
        Assert.Null(webhook["objectSelector"]);
        Assert.Equal("*", webhook["rules"]![0]!["scope"]!.GetValue<string>());

        // PolicyGate's own namespace is always left out, so no policy can refuse the pods that answer it.
        AssertJson(
            """{"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["policygate-system"]}]}""",
            webhook["namespaceSelector"]);
    }

    [Fact]
    public void WebhookConfig_AdmissionPolicy_RestrictedToItsOwnNamespace()
    {
        var webhook = Webhook(Documents(Policies), "sizes.shop.policygate.io");

        AssertJson(
            """
            {"matchLabels":{"env":"prod"},
             "matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["policygate-system"]},
                                 {"key":"kubernetes.io/metadata.name","operator":"In","values":["shop"]}]}
            """,
            webhook["namespaceSelector"]);
        Assert.All(webhook["rules"]!.AsArray(), r => Assert.Equal("Namespaced", r!["scope"]!.GetValue<string>()));
    }

    [Fact]
    public void WebhookConfig_ValidatingPoliciesOnly_NoMutatingConfiguration()
    {
        var documents = Documents(ClusterPolicies);

        var only = Assert.Single(documents);
        Assert.Equal("ValidatingWebhookConfiguration", only["kind"]!.GetValue<string>());
        Assert.Equal(3, only["webhooks"]!.AsArray().Count); // the two policies and the validation of PolicyGate's own objects
    }

    [Fact]
    public void WebhookConfig_MutatingPoliciesOnly_TheValidatingConfigurationHoldsOnlyTheValidationOfPolicyObjects()
    {
        var documents = Documents(MutatingPolicy);

        Assert.Equal(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"], documents.Select(d => d["kind"]!.GetValue<string>()));
        var self = Assert.Single(documents[0]["webhooks"]!.AsArray())!;
        Assert.False(string.IsNullOrEmpty((string?)self["clientConfig"]!["caBundle"]), "the caBundle of the serving certificate");
        self["clientConfig"]!.AsObject().Remove("caBundle");
        AssertJson("""
            {"name": "policies.validate.policygate.io",
             "clientConfig": {"service": {"name": "policygate", "namespace": "policygate-system", "path": "/validate-policies", "port": 8443}},
             "rules": [{"operations": ["CREATE", "UPDATE"], "apiGroups": ["policygate.io"], "apiVersions": ["v1"],
                        "resources": ["clusteradmissionpolicies", "admissionpolicies"], "scope": "*"}],
             "failurePolicy": "Ignore", "matchPolicy": "Equivalent", "sideEffects": "None", "timeoutSeconds": 30, "admissionReviewVersions": ["v1"]}
            """, self);
        Assert.Empty(AdmissionRegistrationChecks.Check(documents[0]));
    }

    [Fact]
    public void WebhookConfig_PolicyWhoseWebhookNameIsPolicyGatesOwn_RefusedNamingIt()
    {
        var file = _temp.File("clash.yaml");
        File.WriteAllText(file, """
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: policies.validate}
            spec:
              rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
              script: return Allow();
            """);

        var result = WebhookConfig(file, "--ca-bundle", _caCrt);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("its webhook name \"policies.validate.policygate.io\" is PolicyGate's own", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_InjectCaFrom_AnnotatedAndNoCaBundle()
    {
        var result = WebhookConfig(Policies, "--inject-ca-from", "policygate-system/policygate-serving");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var documents = YamlJson.ParseDocuments(result.Out).Select(d => d.Node!.AsObject()).ToList();
        Assert.Equal(2, documents.Count);
        foreach (var document in documents)
        {
            Assert.Equal("policygate-system/policygate-serving", document["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
            Assert.All(document["webhooks"]!.AsArray(), w => Assert.Null(w!["clientConfig"]!["caBundle"]));
            Assert.Empty(AdmissionRegistrationChecks.Check(document));
        }
    }

    [Fact]
    public void WebhookConfig_PolicyThatFailsToLoad_ExitTwoAndNothingOnStdout()
    {
        var result = WebhookConfig(BrokenPolicies, "--ca-bundle", _caCrt);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("policies.yaml#2: policy unknown-module: spec.module: unknown built-in module \"no-such-policy\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_NoPolicies_ExitTwo()
    {
        var empty = _temp.File("empty");
        Directory.CreateDirectory(empty);

        var result = WebhookConfig(empty, "--ca-bundle", _caCrt);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("no ClusterAdmissionPolicy or AdmissionPolicy found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_TwoPoliciesWithOneWebhookName_ExitTwoNamingBoth()
    {
        var policies = _temp.File("clash.yaml");
        const string Rules = """rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]""";
        File.WriteAllText(policies, $"""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {"{"}name: sizes.shop{"}"}
            spec: {"{"}script: return Allow();, {Rules}{"}"}
            ---
            apiVersion: policygate.io/v1
            kind: AdmissionPolicy
            metadata: {"{"}name: sizes, namespace: shop{"}"}
            spec: {"{"}script: return Allow();, {Rules}{"}"}
            """);

        var result = WebhookConfig(policies, "--ca-bundle", _caCrt);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("policy shop/sizes: its webhook name \"sizes.shop.policygate.io\" is already that of policy sizes.shop", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--service", "Policygate", "error: --service: \"Policygate\" is not a valid Service name")]
    [InlineData("--namespace", "a.b", "error: --namespace: \"a.b\" is not a valid namespace name")]
    [InlineData("--port", "0", "error: --port: must be from 1 to 65535, got 0")]
    [InlineData("--port", "65536", "error: --port: must be from 1 to 65535, got 65536")]
    [InlineData("--inject-ca-from", "ns/cert", "error: give exactly one of --ca-bundle")]
    public void WebhookConfig_BadArgument_ExitTwoWithMessage(string option, string value, string expected)
    {
        var arguments = new Dictionary<string, string>
        {
            ["--policies"] = Policies, ["--service"] = "policygate", ["--namespace"] = "policygate-system", ["--ca-bundle"] = _caCrt,
        };
        arguments[option] = value;

        var result = Invoke(["webhook-config", .. arguments.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_InjectCaFromWithoutSlash_ExitTwo()
    {
        var result = WebhookConfig(Policies, "--inject-ca-from", "cert");

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("error: --inject-ca-from: \"cert\" must be NAMESPACE/CERTIFICATE", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing.crt", null, "missing.crt: no such file")]
    [InlineData("tls.key", "KEY", "holds a private key")]
    [InlineData("garbage", "not a certificate at all!", "holds neither PEM certificates")]
    public void WebhookConfig_BadCaBundleFile_ExitTwoWithMessage(string file, string? content, string expected)
    {
        var path = _temp.File(file);
        if (content is not null)
        {
            File.WriteAllText(path, content == "KEY" ? CertificateGenerator.Generate(new ServingCertificateRequest("a", "b")).PrivateKeyPem : content);
        }

        var result = WebhookConfig(Policies, "--ca-bundle", path);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains(expected, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_NeitherCaOption_ExitTwo()
    {
        var result = WebhookConfig(Policies);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("give exactly one of --ca-bundle", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookConfig_MissingPolicyPath_ExitTwo()
    {
        var result = WebhookConfig(_temp.File("nope"), "--ca-bundle", _caCrt);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Equal("", result.Out);
        Assert.Contains("policy path does not exist", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("webhook-config", "--service", "s", "--namespace", "n", "--ca-bundle", "x")]
    [InlineData("webhook-config", "--policies", "p", "--namespace", "n", "--ca-bundle", "x")]
    [InlineData("webhook-config", "--policies", "p", "--service", "s", "--ca-bundle", "x")]
    [InlineData("webhook-config", "--policies", "p", "--service", "s", "--namespace", "n", "--ca-bundle", "x", "--port", "http")]
    public void WebhookConfig_MissingOrMalformedOptions_ExitTwo(params string[] args)
    {
        var result = Invoke(args);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("error:", result.Error, StringComparison.Ordinal);
    }
}
