using System.Security.Cryptography.X509Certificates;
using PolicyGate.Server.Tests.TestSupport;

namespace PolicyGate.Server.Tests;

[Trait("Category", "Integration")]
public sealed class CertificateRotationIntegrationTests
{
    [Fact]
    public async Task Rotation_NewFiles_NewConnectionsGetTheNewCertificateWithoutRestart()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel() });
        var before = await SeenCertificateAsync(server);

        var rotated = server.Certificates.WriteServing(server.CertificateDirectory, "policygate-rotated");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string seen;
        do
        {
            deadline.Token.ThrowIfCancellationRequested();
            await server.Registry.WaitForChangeAsync(deadline.Token).WaitAsync(TimeSpan.FromMilliseconds(50), deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            seen = await SeenCertificateAsync(server);
        }
        while (seen != rotated.Thumbprint);

        Assert.NotEqual(before, seen);
    }

    [Fact]
    public async Task Rotation_BrokenFiles_PreviousCertificateKeepsServing()
    {
        await using var server = await RunningServer.StartAsync(new Dictionary<string, string> { ["team.yaml"] = TestPolicyFiles.TeamLabel() });
        var before = await SeenCertificateAsync(server);

        await File.WriteAllTextAsync(Path.Combine(server.CertificateDirectory, "tls.crt"), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        await server.WaitUntilAsync(() => server.Logs.Any(l => l.Contains("|1021|", StringComparison.Ordinal)), "the failed reload to be logged");

        Assert.Equal(before, await SeenCertificateAsync(server));
    }

    private static async Task<string> SeenCertificateAsync(RunningServer server)
    {
        X509Certificate2? seen = null;
        using var client = server.CreateClient(c => seen = c);
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return seen!.Thumbprint;
    }
}
