using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PolicyGate.Bench.Echo;

/// <summary>
/// Kestrel with the settings of <c>PolicyGateServer.Create</c> (empty builder, Kestrel core, HTTP/1.1 and HTTP/2 over
/// TLS, no Server header, the certificate from <c>tls.crt</c>/<c>tls.key</c>), and one endpoint that does the least an
/// admission webhook must: read the body, find <c>request.uid</c>, answer <c>allowed: true</c>.
/// </summary>
internal static class EchoServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? certDir = null;
        var address = "127.0.0.1";
        var port = 8444;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--cert-dir": certDir = args[i + 1]; break;
                case "--address": address = args[i + 1]; break;
                case "--port": port = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
                default:
                    await Console.Error.WriteLineAsync($"error: unknown option {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }

        if (certDir is null || args.Length % 2 != 0)
        {
            await Console.Error.WriteLineAsync("usage: PolicyGate.Bench.Echo --cert-dir DIR [--address 127.0.0.1] [--port 8444]").ConfigureAwait(false);
            return 2;
        }

        var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(certDir, "tls.crt"), Path.Combine(certDir, "tls.key"));
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "policygate-bench-echo" });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.Services.AddRoutingCore();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddJsonConsole();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(address), port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate);
            });
        });

        await using var app = builder.Build();
        app.UseRouting();
        app.MapPost("/validate", EchoHandler.HandleAsync);
        app.MapGet("/readyz", () => Results.Text("ready\n"));
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }
}
