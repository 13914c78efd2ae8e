using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Hosting;

namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>
/// <c>policygate serve</c> in-process on 127.0.0.1 with a free port, real TLS, and a client that trusts only the
/// test CA. Stops the server and deletes its folders when disposed.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningServer(WebApplication app, string root, TestCertificates certificates, Uri address, ConcurrentQueue<string> logs)
    {
        _app = app;
        Root = root;
        Certificates = certificates;
        Address = address;
        Logs = logs;
        Client = CreateClient();
    }

    public string Root { get; }

    public string PoliciesDirectory => Path.Combine(Root, "policies");

    public string CertificateDirectory => Path.Combine(Root, "certs");

    public TestCertificates Certificates { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public ConcurrentQueue<string> Logs { get; }

    public PolicyRegistry Registry => _app.Services.GetRequiredService<PolicyRegistry>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server whose policy folder holds <paramref name="policyFiles"/> (file name → YAML).</summary>
    /// <param name="compileCacheDirectory">Where compiled scripts are cached on disk; null (the default) keeps them in memory.</param>
    /// <param name="configure">Changes to the options before the server is built (a kubeconfig, say).</param>
    /// <param name="writeCaCertificate">Also write the CA as <c>ca.crt</c> beside the serving certificate, as cert-manager does.</param>
    public static async Task<RunningServer> StartAsync(
        IReadOnlyDictionary<string, string> policyFiles, string? compileCacheDirectory = null, bool isolateAll = false, Action<PolicyGateServerOptions>? configure = null,
        bool writeCaCertificate = false)
    {
        var root = Directory.CreateTempSubdirectory("policygate-server-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "policies"));
        Directory.CreateDirectory(Path.Combine(root, "certs"));
        foreach (var (name, yaml) in policyFiles)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "policies", name), yaml);
        }

        var certificates = new TestCertificates();
        certificates.WriteServing(Path.Combine(root, "certs"));
        if (writeCaCertificate)
        {
            await File.WriteAllTextAsync(Path.Combine(root, "certs", "ca.crt"), certificates.Ca.ExportCertificatePem());
        }
        var logs = new ConcurrentQueue<string>();
        var options = new PolicyGateServerOptions
            {
                PoliciesDirectory = Path.Combine(root, "policies"),
                CertificateDirectory = Path.Combine(root, "certs"),
                Address = "127.0.0.1",
                Port = 0,
                PollInterval = TimeSpan.FromMilliseconds(50),
                ReloadDebounce = TimeSpan.FromMilliseconds(20),
                CompileCacheDirectory = compileCacheDirectory,
                IsolateAll = isolateAll,
                UseInClusterConfig = false, // a test run inside a pod must not talk to that cluster
            };
        configure?.Invoke(options);
        var app = PolicyGateServer.Create(options, logging => logging.AddProvider(new ListLoggerProvider(logs)));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var server = new RunningServer(app, root, certificates, new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)), logs);
        await server.WaitUntilAsync(() => server.Registry.IsReady, "the initial policies to load");
        return server;
    }

    /// <summary>A client on new connections that trusts only the test CA and reports the certificate it was shown.</summary>
    public HttpClient CreateClient(Action<X509Certificate2>? seen = null, Version? version = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(Certificates.Ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    var leaf = new X509Certificate2(certificate);
                    seen?.Invoke(leaf);
                    return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                },
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = Address,
            DefaultRequestVersion = version ?? System.Net.HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json", HttpClient? client = null)
    {
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return (client ?? Client).PostAsync(path, content);
    }

    public async Task WritePolicyAsync(string fileName, string yaml)
    {
        var path = Path.Combine(PoliciesDirectory, fileName);
        var temp = Path.Combine(Root, fileName + ".tmp");
        await File.WriteAllTextAsync(temp, yaml);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing after a deadline (a hang guard, not a wait).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 20)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (!condition())
        {
            try
            {
                await Registry.WaitForChangeAsync(deadline.Token).WaitAsync(TimeSpan.FromMilliseconds(100), deadline.Token);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {seconds}s waiting for {what}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificates.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
