using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>
/// The server's <c>/metrics</c> for one <see cref="PolicyGateMetrics"/> without a server: the meter provider serve
/// registers, and OpenTelemetry's scrape endpoint invoked on an in-memory request.
/// </summary>
internal sealed class MetricsScrape : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly RequestDelegate _scrape;

    public MetricsScrape(PolicyGateMetrics metrics)
    {
        var configuration = new ConfigurationBuilder().Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(metrics)
            .AddPolicyGateTelemetry(configuration)
            .BuildServiceProvider();
        var app = new ApplicationBuilder(_services);
        app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        _scrape = app.Build();
    }

    /// <summary>The scrape's body; <paramref name="accept"/> is the scraper's Accept header (none: HttpClient's default).</summary>
    public string Render(string? accept = null) => Scrape(accept).Body;

    public (string ContentType, string Body) Scrape(string? accept)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = "GET";
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        context.Request.Path = "/metrics";
        using var body = new MemoryStream();
        context.Response.Body = body;
        _scrape(context).GetAwaiter().GetResult();
        return (context.Response.ContentType ?? "", Encoding.UTF8.GetString(body.ToArray()));
    }

    public void Dispose() => _services.Dispose();
}
