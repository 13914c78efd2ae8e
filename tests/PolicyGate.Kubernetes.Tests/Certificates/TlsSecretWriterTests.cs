using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s;
using PolicyGate.Kubernetes.Certificates;
using PolicyGate.Kubernetes.Tests.Watch;

namespace PolicyGate.Kubernetes.Tests.Certificates;

/// <summary><c>certs generate --secret</c>'s writer against the loopback fake API server: create, keep, replace.</summary>
public sealed class TlsSecretWriterTests : IAsyncDisposable
{
    private const string SecretPath = "/api/v1/namespaces/policygate/secrets/policygate-tls";

    private readonly FakeApiServer _server = FakeApiServer.Start();
    private readonly k8s.Kubernetes _client;

    public TlsSecretWriterTests() => _client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host });

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _client.Dispose();
    }

    [Fact]
    public async Task Creates_a_tls_secret_with_the_ca_then_keeps_it_on_the_next_run()
    {
        var writer = new TlsSecretWriter(_client);

        var first = await writer.EnsureAsync("policygate", "policygate-tls", Request(), TimeSpan.FromDays(30), TimeProvider.System, CancellationToken.None);

        Assert.True(first.Written);
        var secret = _server.GetObject(SecretPath)!;
        Assert.Equal("kubernetes.io/tls", (string?)secret["type"]);
        using var certificate = Certificate(secret);
        Assert.Contains("policygate.policygate.svc", certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", Decode(secret, "ca.crt"), StringComparison.Ordinal);

        var second = await writer.EnsureAsync("policygate", "policygate-tls", Request(), TimeSpan.FromDays(30), TimeProvider.System, CancellationToken.None);

        Assert.False(second.Written);
        Assert.Equal(Decode(secret, "tls.crt"), Decode(_server.GetObject(SecretPath)!, "tls.crt"));
    }

    [Fact]
    public async Task Replaces_a_certificate_due_for_renewal_or_for_other_names()
    {
        var writer = new TlsSecretWriter(_client);
        await writer.EnsureAsync("policygate", "policygate-tls", Request(days: 10), TimeSpan.FromDays(1), TimeProvider.System, CancellationToken.None);
        var before = Decode(_server.GetObject(SecretPath)!, "tls.crt");

        var renewed = await writer.EnsureAsync("policygate", "policygate-tls", Request(), TimeSpan.FromDays(30), TimeProvider.System, CancellationToken.None);
        Assert.True(renewed.Written);
        Assert.Contains("within the renewal margin", renewed.Reason, StringComparison.Ordinal);
        Assert.NotEqual(before, Decode(_server.GetObject(SecretPath)!, "tls.crt"));

        var renamed = await writer.EnsureAsync("policygate", "policygate-tls", Request() with { ExtraDnsNames = ["webhook.example.com"] },
            TimeSpan.FromDays(30), TimeProvider.System, CancellationToken.None);
        Assert.True(renamed.Written);
        Assert.Contains("webhook.example.com", renamed.Reason, StringComparison.Ordinal);
    }

    private static ServingCertificateRequest Request(int days = 365) =>
        new("policygate", "policygate") { Validity = TimeSpan.FromDays(days) };

    private static string Decode(JsonObject secret, string key) =>
        System.Text.Encoding.ASCII.GetString(Convert.FromBase64String((string)secret["data"]![key]!));

    private static X509Certificate2 Certificate(JsonObject secret) =>
        X509Certificate2.CreateFromPem(Decode(secret, "tls.crt"), Decode(secret, "tls.key"));
}
