using k8s;
using PolicyGate.Kubernetes.Connection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace PolicyGate.Kubernetes.Tests.Connection;

public sealed class ClusterConnectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("policygate-kubeconfig-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Kubeconfig(string firstServer, string secondServer, string text = "")
    {
        var path = Path.Combine(_folder, "config");
        File.WriteAllText(path, text.Length > 0 ? text : $$"""
            apiVersion: v1
            kind: Config
            current-context: first
            clusters:
            - name: first
              cluster: {server: "{{firstServer}}"}
            - name: second
              cluster: {server: "{{secondServer}}"}
            users:
            - name: alice
              user: {token: alice-token}
            contexts:
            - name: first
              context: {cluster: first, user: alice}
            - name: second
              context: {cluster: second, user: alice, namespace: shop}
            """);
        return path;
    }

    [Fact]
    public async Task Connect_KubeconfigAndContext_TalksToThatContextsServerWithItsCredentials()
    {
        using var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/api/v1/namespaces/shop").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop","labels":{"team":"web"}}}"""));
        var path = Kubeconfig("http://127.0.0.1:1", server.Url!);

        using var connection = ClusterConnection.Connect(path, "second")!;
        var ns = await connection.Client.CoreV1.ReadNamespaceAsync("shop");

        Assert.Equal("web", ns.Metadata.Labels["team"]);
        Assert.Contains($"context second, server {server.Url}", connection.Description, StringComparison.Ordinal);
        var call = Assert.Single(server.LogEntries);
        Assert.Equal("Bearer alice-token", call.RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public void Connect_NoContextGiven_UsesTheCurrentOne()
    {
        using var connection = ClusterConnection.Connect(Kubeconfig("http://127.0.0.1:7001", "http://127.0.0.1:7002"), null)!;

        Assert.Contains("server http://127.0.0.1:7001", connection.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_MissingFile_ErrorNamesIt()
    {
        var missing = Path.Combine(_folder, "nope");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterConnection.Connect(missing, null));

        Assert.Equal($"--kubeconfig: the file \"{missing}\" does not exist", error.Message);
    }

    [Fact]
    public void Connect_UnknownContext_ErrorNamesTheFileAndTheContext()
    {
        var path = Kubeconfig("http://127.0.0.1:7001", "http://127.0.0.1:7002");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterConnection.Connect(path, "third"));

        Assert.StartsWith($"--kubeconfig {path} (context third): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Connect_NotAKubeconfig_ErrorNamesTheFile()
    {
        var path = Kubeconfig("", "", text: "clusters: [unterminated");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterConnection.Connect(path, null));

        Assert.StartsWith($"--kubeconfig {path}: ", error.Message, StringComparison.Ordinal);
    }
}
