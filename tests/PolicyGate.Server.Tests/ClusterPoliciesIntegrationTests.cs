using System.Net;
using System.Text.Json.Nodes;
using PolicyGate.Kubernetes.Tests.Watch;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

/// <summary>
/// serve with a cluster and no policy folder: the ClusterAdmissionPolicy and AdmissionPolicy objects the API server
/// lists are enforced, and a watch event that adds, changes, breaks or deletes one takes effect without a restart.
/// The API server is a loopback fake that streams the watches the test drives.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ClusterPoliciesIntegrationTests : IAsyncLifetime
{
    private const string ClusterPath = "/apis/policygate.io/v1/clusteradmissionpolicies";
    private const string TenantPath = "/apis/policygate.io/v1/admissionpolicies";
    private const string NamespacesPath = "/api/v1/namespaces";

    private FakeApiServer _api = null!;
    private string _kubeconfig = null!;

    public Task InitializeAsync()
    {
        _api = FakeApiServer.Start();
        _kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("policygate-cluster-").FullName, "config");
        FakeApiServer.WriteKubeconfig(_kubeconfig, _api.Host, "t");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    /// <summary>A policy object as the API server returns it (metadata it adds included).</summary>
    private static JsonObject Policy(string kind, string name, string? ns, string script, string resourceVersion) =>
        Policy(kind, name, ns, resourceVersion, new JsonObject { ["script"] = script });

    private static JsonObject Policy(string kind, string name, string? ns, string resourceVersion, JsonObject spec)
    {
        spec["rules"] = JsonNode.Parse("""[{"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE"]}]""");
        var metadata = new JsonObject { ["name"] = name, ["uid"] = $"uid-{name}", ["generation"] = 1, ["resourceVersion"] = resourceVersion };
        if (ns is not null)
        {
            metadata["namespace"] = ns;
        }

        return new JsonObject { ["apiVersion"] = "policygate.io/v1", ["kind"] = kind, ["metadata"] = metadata, ["spec"] = spec };
    }

    private Task<RunningServer> StartAsync() => RunningServer.StartAsync(
        new Dictionary<string, string>(),
        configure: o =>
        {
            o.Kubeconfig = _kubeconfig;
            o.PoliciesDirectory = ""; // the cluster alone
        });

    private static async Task<(bool Allowed, string? Message)> ValidateAsync(RunningServer server, string uid, string labels = "{}")
    {
        using var response = await server.PostAsync("/validate", Reviews.Pod(uid, labelsJson: labels));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = Reviews.Response(await response.Content.ReadAsStringAsync());
        return ((bool)answer["allowed"]!, (string?)answer["status"]?["message"]);
    }

    private async Task<FakeWatch> WatchOfAsync(string path)
    {
        // Both policy kinds and the Namespaces are watched: take the three watches and keep the one asked for.
        var watches = new[] { await _api.NextWatchAsync(), await _api.NextWatchAsync(), await _api.NextWatchAsync() };
        return watches.Single(w => w.Request.Path == path);
    }

    [Fact]
    public async Task ClusterPolicies_EnforcedAndHotReloadedFromWatchEvents()
    {
        _api.SetListFor(ClusterPath, "10", Policy("ClusterAdmissionPolicy", "team-label", null,
            "return Metadata?.Labels?.ContainsKey(\"team\") == true ? Allow() : Deny(\"v1: pods need a team label\");", "10"));
        _api.SetListFor(TenantPath, "10");
        await using var server = await StartAsync();

        Assert.Equal((false, "policy team-label denied the request: v1: pods need a team label"), await ValidateAsync(server, "u1"));
        var watch = await WatchOfAsync(ClusterPath);

        // Changed: the next request gets the new version, no restart.
        await watch.SendAsync("MODIFIED", Policy("ClusterAdmissionPolicy", "team-label", null,
            "return Metadata?.Labels?.ContainsKey(\"team\") == true ? Allow() : Deny(\"v2: pods need a team label\");", "11"));
        await server.WaitUntilAsync(() => ValidateAsync(server, "u2").GetAwaiter().GetResult().Message == "policy team-label denied the request: v2: pods need a team label", "v2 enforcing");

        // Broken: the last good version keeps serving, and /policies names the error.
        await watch.SendAsync("MODIFIED", Policy("ClusterAdmissionPolicy", "team-label", null, "return Nope();", "12"));
        await server.WaitUntilAsync(() => server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)).GetAwaiter().GetResult()
            .Contains("CS0103", StringComparison.Ordinal), "the compile error in /policies");
        Assert.Equal((false, "policy team-label denied the request: v2: pods need a team label"), await ValidateAsync(server, "u3"));

        // Deleted: it stops at once.
        await watch.SendAsync("DELETED", Policy("ClusterAdmissionPolicy", "team-label", null, "return Nope();", "13"));
        await server.WaitUntilAsync(() => ValidateAsync(server, "u4").GetAwaiter().GetResult().Allowed, "the deleted policy gone");
    }

    [Fact]
    public async Task TenantPolicy_JudgesItsOwnNamespaceOnly_AndACLusterObjectCannotNameAFile()
    {
        _api.SetListFor(ClusterPath, "20", Policy("ClusterAdmissionPolicy", "token-reader", null, "20",
            new JsonObject { ["module"] = "file:///var/run/secrets/kubernetes.io/serviceaccount/token" }));
        _api.SetListFor(TenantPath, "20",
            Policy("AdmissionPolicy", "shop-only", "shop", "return Deny(\"shop says no\");", "20"),
            Policy("AdmissionPolicy", "other-only", "other", "return Deny(\"other says no\");", "20"));
        await using var server = await StartAsync();

        // The review is for namespace shop: shop's policy judges it, other's does not.
        var judged = await ValidateAsync(server, "u1");
        Assert.True(judged == (false, "policy shop/shop-only denied the request: shop says no"), judged.Message);
        var policies = JsonNode.Parse(await server.Client.GetStringAsync(new Uri("/policies", UriKind.Relative)))!.ToJsonString();
        Assert.Contains("a policy from the cluster cannot read the server", policies, StringComparison.Ordinal);
        Assert.Contains("AdmissionPolicy/shop/shop-only", policies, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamespaceSelector_SeesTheNamespacesRealLabels_AsTheyChange()
    {
        var spec = new JsonObject
        {
            ["script"] = "return Deny(\"web team namespaces only run reviewed pods\");",
            ["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["team"] = "web" } },
        };
        _api.SetListFor(ClusterPath, "40", Policy("ClusterAdmissionPolicy", "web-team", null, "40", spec));
        _api.SetListFor(TenantPath, "40");
        _api.SetListFor(NamespacesPath, "40", Namespace("shop", "39", "web"));
        await using var server = await StartAsync();

        Assert.False((await ValidateAsync(server, "u1")).Allowed);

        var watch = await WatchOfAsync(NamespacesPath);
        await watch.SendAsync("MODIFIED", Namespace("shop", "41", "payments"));
        await server.WaitUntilAsync(() => ValidateAsync(server, "u2").GetAwaiter().GetResult().Allowed, "shop no longer selected");
    }

    private static JsonObject Namespace(string name, string resourceVersion, string team) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["resourceVersion"] = resourceVersion,
            ["labels"] = new JsonObject { ["team"] = team, ["kubernetes.io/metadata.name"] = name },
        },
    };
}
