using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Certificates;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Hosting;

/// <summary>Builds the webhook server: Kestrel over TLS (HTTP/1.1 and HTTP/2) with the PolicyGate endpoints.</summary>
public static class PolicyGateServer
{
    /// <exception cref="InvalidOperationException">The options are invalid, or the certificate or the kubeconfig cannot be used.</exception>
    public static WebApplication Create(PolicyGateServerOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", problems));
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "policygate" });
        builder.WebHost.UseKestrelCore().UseKestrelHttpsConfiguration();
        builder.Services.AddRoutingCore();
        // The logging configuration from the environment, e.g. POLICYGATE_Logging__LogLevel__Default=Debug (plain allows
        // with --decision-log changes); only POLICYGATE_ variables, so no other part of the host is configured by them.
        builder.Configuration.AddEnvironmentVariables("POLICYGATE_");
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (configureLogging is null)
        {
            // One JSON object per line on standard output: decisions are structured records, not prose. Each decision
            // line carries the request's uid, operation, kind and namespace/name itself, so no per-request scope is kept.
            builder.Services.AddSingleton<ILoggerProvider>(services =>
                new JsonLinesLoggerProvider(Console.OpenStandardOutput(), services.GetService<TimeProvider>()));
        }
        else
        {
            configureLogging(builder.Logging);
        }

        builder.Services.AddPolicyGateServer(options);
        builder.Configuration.AddInMemoryCollection(PolicyGateTelemetry.Variables(Environment.GetEnvironmentVariables()));
        builder.Services.AddPolicyGateTelemetry(builder.Configuration);
        var connection = PolicyGate.Kubernetes.Connection.ClusterConnection.Connect(options.Kubeconfig, options.KubeContext, options.UseInClusterConfig);
        if (connection is null && options.PoliciesDirectory.Length == 0)
        {
            throw new InvalidOperationException("--policies: required when there is no cluster to read policies from (no --kubeconfig, and not running in a pod)");
        }

        builder.Services.AddPolicyGateCluster(connection, options);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;

            // Our handler answers oversized bodies itself with a clear 413 without reading them; Kestrel then reads
            // and discards the rest so that an HTTP/1.1 client, still sending, gets to read that answer. Past this
            // backstop Kestrel closes the connection instead (the client sees a broken pipe): it bounds the bytes
            // a client can make the server read for nothing.
            kestrel.Limits.MaxRequestBodySize = Math.Max(options.MaxRequestBodyBytes, PolicyGateServerOptions.DiscardedBodyBytes);
            var certificate = kestrel.ApplicationServices.GetRequiredService<ServingCertificate>();
            certificate.TryReload(throwOnError: true);
            kestrel.Listen(IPAddress.Parse(options.Address), options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificate.Current);
            });
        });

        var app = builder.Build();
        if (connection is not null)
        {
            Log.ClusterConnected(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PolicyGate.Cluster"), connection.Description);
        }

        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var logger = context.RequestServices.GetRequiredService<ILogger<AdmissionHandler>>();
            if (exception is not null)
            {
                Log.UnhandledError(logger, context.TraceIdentifier, exception);
            }

            // Never answer "allowed" because something broke: the API server applies the webhook's failurePolicy.
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(ApiError.Of(500, "internal error in PolicyGate; see its log"), ApiError.JsonOptions).ConfigureAwait(false);
        }));
        app.UseRouting();
        app.MapPolicyGate();
        return app;
    }

    /// <summary>
    /// Why a server that was started stopped by itself: the first background service that failed (the host stops
    /// then, and would otherwise look like a clean shutdown), or null.
    /// </summary>
    public static Exception? FindFault(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetServices<IHostedService>()
            .OfType<BackgroundService>()
            .Select(service => service.ExecuteTask?.Exception?.InnerException ?? service.ExecuteTask?.Exception)
            .FirstOrDefault(exception => exception is not null);
    }
}
