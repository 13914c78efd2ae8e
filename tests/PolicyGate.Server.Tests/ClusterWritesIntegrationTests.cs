using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>
/// What serve writes to the cluster while it leads: the webhook configurations named <c>policygate</c> (one webhook
/// per policy, the validation of its own objects, the caBundle of its certificate, its namespace left out) and each
/// policy object's status; and, with two replicas, that the one holding the Lease writes and the other takes over
/// when it dies. The API server is the loopback fake, which stores what is written.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterWritesIntegrationTests : IAsyncLifetime
{
    private const string ClusterPath = "/apis/policygate.io/v1/clusteradmissionpolicies";
    private const string TenantPath = "/apis/policygate.io/v1/admissionpolicies";
    private const string ValidatingPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/policygate";
    private const string MutatingPath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/policygate";
    private const string LeasePath = "/apis/coordination.k8s.io/v1/namespaces/policygate-system/leases/policygate-leader";

    private FakeApiServer _api = null!;
    private string _root = null!;

    public Task InitializeAsync()
    {
        _api = FakeApiServer.Start();
        _root = Directory.CreateTempSubdirectory("policygate-writes-").FullName;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Registration_follows_the_policies_and_the_certificate()
    {
        _api.SetListFor(ClusterPath, "10", Policy("team-label", "return Metadata?.Labels?.ContainsKey(\"team\") == true ? Allow() : Deny(\"need team\");", 1));
        _api.SetListFor(TenantPath, "10", Policy("add-owner", "return Allow();", 1, ns: "shop", mutating: true));
        await using var server = await StartAsync("pod-a", writeCa: true);

        await server.WaitUntilAsync(() => Webhooks(ValidatingPath).Contains("team-label.policygate.io"), "the validating configuration");
        var validating = _api.GetObject(ValidatingPath)!;
        Assert.Equal(["team-label.policygate.io", "policies.validate.policygate.io"], Webhooks(ValidatingPath));
        var webhook = validating["webhooks"]![0]!;
        Assert.Equal("policygate", (string?)webhook["clientConfig"]!["service"]!["name"]);
        Assert.Equal("policygate-system", (string?)webhook["clientConfig"]!["service"]!["namespace"]);
        Assert.Equal("/validate/team-label", (string?)webhook["clientConfig"]!["service"]!["path"]);
        Assert.Equal(CaBundle(server.Certificates.Ca.ExportCertificatePem()), (string?)webhook["clientConfig"]!["caBundle"]);
        Assert.Contains(webhook["namespaceSelector"]!["matchExpressions"]!.AsArray(), e =>
            (string?)e!["operator"] == "NotIn" && (string?)e["values"]![0] == "policygate-system");
        await server.WaitUntilAsync(() => Webhooks(MutatingPath).Contains("add-owner.shop.policygate.io"), "the mutating configuration");
        Assert.Equal("/mutate/shop/add-owner", (string?)_api.GetObject(MutatingPath)!["webhooks"]![0]!["clientConfig"]!["service"]!["path"]);

        // What the API server's own validation of admissionregistration.k8s.io/v1 would refuse, it is not given.
        foreach (var written in _api.Requests.Where(r => r.Method is "POST" or "PUT" && r.Path.Contains("webhookconfigurations", StringComparison.Ordinal)))
        {
            Assert.Empty(PolicyGate.Cli.Tests.AdmissionRegistrationChecks.Check(JsonNode.Parse(written.Body!)!.AsObject()));
        }

        // A deleted policy's webhook goes; the last mutating one leaves an empty configuration.
        var watches = await WatchesAsync();
        await watches[ClusterPath].SendAsync("DELETED", Policy("team-label", "return Allow();", 1));
        await watches[TenantPath].SendAsync("DELETED", Policy("add-owner", "return Allow();", 1, ns: "shop", mutating: true));
        await server.WaitUntilAsync(() => Webhooks(ValidatingPath).SequenceEqual(["policies.validate.policygate.io"]), "the deleted policy's webhook removed");
        await server.WaitUntilAsync(() => Webhooks(MutatingPath).Count == 0, "the mutating webhook removed");

        // The certificate rotates to another CA: the caBundle follows.
        using var rotated = new TestCertificates();
        await File.WriteAllTextAsync(Path.Combine(server.CertificateDirectory, "ca.crt"), rotated.Ca.ExportCertificatePem());
        rotated.WriteServing(server.CertificateDirectory);
        var expected = CaBundle(rotated.Ca.ExportCertificatePem());
        await server.WaitUntilAsync(() => (string?)_api.GetObject(ValidatingPath)!["webhooks"]![0]!["clientConfig"]!["caBundle"] == expected, "the rotated caBundle");
    }

    [Fact]
    public async Task A_configuration_someone_else_changed_is_put_back_at_the_next_resync()
    {
        _api.SetListFor(ClusterPath, "10", Policy("team-label", "return Allow();", 1));
        _api.SetListFor(TenantPath, "10");
        await using var server = await StartAsync("pod-a", writeCa: true, resync: TimeSpan.FromMilliseconds(300));
        await server.WaitUntilAsync(() => Webhooks(ValidatingPath).Contains("team-label.policygate.io"), "the validating configuration");

        _api.DeleteObject(ValidatingPath);

        await server.WaitUntilAsync(() => Webhooks(ValidatingPath).Contains("team-label.policygate.io"), "the configuration written again");
    }

    [Fact]
    public async Task Without_a_ca_the_registration_is_skipped_and_says_why()
    {
        _api.SetListFor(ClusterPath, "10", Policy("team-label", "return Allow();", 1));
        _api.SetListFor(TenantPath, "10");
        await using var server = await StartAsync("pod-a", writeCa: false);

        await server.WaitUntilAsync(() => server.Logs.Any(l => l.Contains("Webhook registration skipped", StringComparison.Ordinal) &&
            l.Contains("no ca.crt", StringComparison.Ordinal)), "the reason in the log");
        Assert.Null(_api.GetObject(ValidatingPath));
    }

    [Fact]
    public async Task Status_says_ready_or_gives_the_compilers_error_for_each_generation()
    {
        _api.SetListFor(ClusterPath, "10",
            Policy("good", "return Allow();", 1),
            Policy("broken", "var x = 1;\nreturn Nope();", 1));
        _api.SetListFor(TenantPath, "10");
        await using var server = await StartAsync("pod-a", writeCa: true);

        await server.WaitUntilAsync(() => Ready($"{ClusterPath}/good") == "True", "good's status");
        var good = _api.GetObject($"{ClusterPath}/good")!["status"]!;
        Assert.Equal(1, (long?)good["observedGeneration"]);
        Assert.Equal("Loaded", (string?)good["conditions"]![0]!["reason"]);
        Assert.Equal(64, ((string?)good["scriptHash"])!.Length);
        Assert.Equal(["pod-a"], good["servedBy"]!.AsArray().Select(n => (string?)n));
        await server.WaitUntilAsync(() => Ready($"{ClusterPath}/broken") == "False", "broken's status");
        var broken = _api.GetObject($"{ClusterPath}/broken")!["status"]!;
        var message = (string?)broken["conditions"]![0]!["message"];
        Assert.Contains("CS0103", message, StringComparison.Ordinal);
        Assert.Contains("(2,8)", message, StringComparison.Ordinal);
        Assert.Contains("does not serve", message, StringComparison.Ordinal);

        // generation 2 of good does not compile: not ready, observed at 2, and the last good version keeps serving.
        var watches = await WatchesAsync();
        var changed = Policy("good", "return Nope();", 2);
        _api.PutObject($"{ClusterPath}/good", changed);
        await watches[ClusterPath].SendAsync("MODIFIED", changed);
        await server.WaitUntilAsync(() => Ready($"{ClusterPath}/good") == "False", "good's new status");
        var now = _api.GetObject($"{ClusterPath}/good")!["status"]!;
        Assert.Equal(2, (long?)now["observedGeneration"]);
        Assert.Contains("the last good version", (string?)now["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Equal((string?)good["scriptHash"], (string?)now["scriptHash"]);
    }

    [Fact]
    public async Task A_configmap_module_is_read_from_its_configmap_and_follows_its_changes()
    {
        const string ConfigMaps = "/api/v1/namespaces/policy-scripts/configmaps";
        var policy = Policy("team-label", "unused", 1);
        policy["spec"]!.AsObject().Remove("script");
        policy["spec"]!["module"] = "configmap://policy-scripts/team/policy.csx";
        _api.SetListFor(ClusterPath, "10", policy);
        _api.SetListFor(TenantPath, "10");
        _api.SetListFor(ConfigMaps, "30", ConfigMap("return Deny(\"v1 from the ConfigMap\");"));
        await using var server = await StartAsync("pod-a", writeCa: true);

        Assert.Equal("policy team-label denied the request: v1 from the ConfigMap", await DenialAsync(server, "u1"));
        var watches = new List<FakeWatch>();
        for (var i = 0; i < 4; i++)
        {
            watches.Add(await _api.NextWatchAsync());
        }

        var configMapWatch = Assert.Single(watches, w => w.Request.Path == ConfigMaps);
        Assert.Equal("metadata.name=team", configMapWatch.Request.Query["fieldSelector"]); // no other ConfigMap is read

        // The ConfigMap changes: the policy follows, no restart.
        await configMapWatch.SendAsync("MODIFIED", ConfigMap("return Deny(\"v2 from the ConfigMap\");"));
        await server.WaitUntilAsync(() => DenialAsync(server, "u2").GetAwaiter().GetResult() == "policy team-label denied the request: v2 from the ConfigMap", "v2 enforcing");

        // It goes away: the last good version keeps serving, and the status says why it is not ready.
        await configMapWatch.SendAsync("DELETED", ConfigMap("return Deny(\"v2 from the ConfigMap\");"));
        await server.WaitUntilAsync(() => Ready($"{ClusterPath}/team-label") == "False", "the status to say the ConfigMap is gone");
        Assert.Contains("ConfigMap policy-scripts/team does not exist", (string?)_api.GetObject($"{ClusterPath}/team-label")!["status"]!["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Equal("policy team-label denied the request: v2 from the ConfigMap", await DenialAsync(server, "u3"));
    }

    [Fact]
    public async Task Applying_a_configmap_policy_checks_its_script_and_only_warns_when_the_configmap_is_not_there_yet()
    {
        _api.SetListFor(ClusterPath, "10");
        _api.SetListFor(TenantPath, "10");
        _api.SetListFor("/api/v1/namespaces/policy-scripts/configmaps", "30", ConfigMap("var x = 1;\nreturn Nope();"));
        _api.SetListFor("/api/v1/namespaces/shop/configmaps", "30");
        await using var server = await StartAsync("pod-a", writeCa: true);

        var broken = await PolicyValidationIntegrationTests.JudgeAsync(server, PolicyValidationIntegrationTests.Review("CREATE", "ClusterAdmissionPolicy", null,
            new JsonObject { ["module"] = "configmap://policy-scripts/team/policy.csx" }));
        Assert.False((bool)broken["allowed"]!);
        Assert.Contains("configmap://policy-scripts/team/policy.csx(2,8)", (string?)broken["status"]!["message"], StringComparison.Ordinal);

        var notYet = await PolicyValidationIntegrationTests.JudgeAsync(server, PolicyValidationIntegrationTests.Review("CREATE", "AdmissionPolicy", "shop",
            new JsonObject { ["module"] = "configmap://shop/scripts/policy.csx" }));
        Assert.True((bool)notYet["allowed"]!);
        Assert.Contains("ConfigMap shop/scripts does not exist: the policy does not serve until it can be read", (string?)notYet["warnings"]![0], StringComparison.Ordinal);
    }

    private static async Task<string?> DenialAsync(RunningServer server, string uid)
    {
        using var response = await server.PostAsync("/validate", Reviews.Pod(uid));
        return (string?)Reviews.Response(await response.Content.ReadAsStringAsync())["status"]?["message"];
    }

    private static JsonObject ConfigMap(string script) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = "team", ["namespace"] = "policy-scripts", ["resourceVersion"] = "31" },
        ["data"] = new JsonObject { ["policy.csx"] = script },
    };

    [Fact]
    public async Task With_two_replicas_both_serve_one_writes_and_the_other_takes_over_when_it_dies()
    {
        _api.SetListFor(ClusterPath, "10", Policy("team-label", "return Deny(\"no\");", 1));
        _api.SetListFor(TenantPath, "10");
        await using var a = await StartAsync("pod-a", writeCa: true);
        await a.WaitUntilAsync(() => Holder() == "pod-a", "pod-a to lead");
        await using var b = await StartAsync("pod-b", writeCa: true);
        await a.WaitUntilAsync(() => Webhooks(ValidatingPath).Contains("team-label.policygate.io"), "the registration");

        // Both serve.
        foreach (var replica in new[] { a, b })
        {
            using var answer = await replica.PostAsync("/validate", Reviews.Pod("u1"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.False((bool)Reviews.Response(await answer.Content.ReadAsStringAsync())["allowed"]!);
        }

        // The policy's status names both replicas as serving it (pod-b's from its heartbeat Lease).
        await a.WaitUntilAsync(() => ServedBy($"{ClusterPath}/team-label").SequenceEqual(["pod-a", "pod-b"]), "both replicas in servedBy");

        // pod-a dies (its API server connection is gone, it does not hand over): pod-b leads within the lease and writes.
        _api.BlockIdentity("token-pod-a");
        var died = System.Diagnostics.Stopwatch.StartNew();
        _api.DeleteObject(ValidatingPath);
        await b.WaitUntilAsync(() => Holder() == "pod-b", "pod-b to lead", seconds: 15);
        var takeover = died.Elapsed;
        await b.WaitUntilAsync(() => Webhooks(ValidatingPath).Contains("team-label.policygate.io"), "pod-b to register", seconds: 15);
        Assert.True(takeover < TimeSpan.FromSeconds(15), $"took over after {takeover}");

        // pod-a's heartbeat runs out: the new leader no longer counts it.
        await b.WaitUntilAsync(() => ServedBy($"{ClusterPath}/team-label").SequenceEqual(["pod-b"]), "pod-a gone from servedBy");
    }

    private async Task<RunningServer> StartAsync(string pod, bool writeCa, TimeSpan? resync = null)
    {
        var kubeconfig = Path.Combine(_root, $"config-{pod}");
        FakeApiServer.WriteKubeconfig(kubeconfig, _api.Host, $"token-{pod}");
        var started = await RunningServer.StartAsync(
            new Dictionary<string, string>(),
            writeCaCertificate: writeCa,
            configure: o =>
            {
                o.Kubeconfig = kubeconfig;
                o.PoliciesDirectory = "";
                o.PodName = pod;
                o.ServiceNamespace = "policygate-system";
                o.LeaseDuration = TimeSpan.FromSeconds(2);
                o.RenewDeadline = TimeSpan.FromMilliseconds(1500);
                o.RetryPeriod = TimeSpan.FromMilliseconds(300);
                o.ResyncInterval = resync ?? TimeSpan.FromMinutes(1);
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(300);
            });
        return started;
    }

    private List<string> Webhooks(string path) =>
        _api.GetObject(path)?["webhooks"]?.AsArray().Select(w => (string)w!["name"]!).ToList() ?? [];

    private string? Ready(string path) => (string?)_api.GetObject(path)?["status"]?["conditions"]?[0]?["status"];

    private List<string> ServedBy(string path) =>
        _api.GetObject(path)?["status"]?["servedBy"]?.AsArray().Select(n => (string)n!).ToList() ?? [];

    private string? Holder() => (string?)_api.GetObject(LeasePath)?["spec"]?["holderIdentity"];

    private async Task<Dictionary<string, FakeWatch>> WatchesAsync()
    {
        var watches = new[] { await _api.NextWatchAsync(), await _api.NextWatchAsync(), await _api.NextWatchAsync() };
        return watches.ToDictionary(w => w.Request.Path);
    }

    private static string CaBundle(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));

    private static JsonObject Policy(string name, string script, long generation, string? ns = null, bool mutating = false)
    {
        var metadata = new JsonObject { ["name"] = name, ["uid"] = $"uid-{name}", ["generation"] = generation, ["resourceVersion"] = "10" };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        var spec = new JsonObject
        {
            ["script"] = script,
            ["rules"] = JsonNode.Parse("""[{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE"]}]"""),
        };
        if (mutating)
        {
            spec["mutating"] = true;
        }

        return new JsonObject
        {
            ["apiVersion"] = "policygate.io/v1",
            ["kind"] = ns is null ? "ClusterAdmissionPolicy" : "AdmissionPolicy",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }
}
