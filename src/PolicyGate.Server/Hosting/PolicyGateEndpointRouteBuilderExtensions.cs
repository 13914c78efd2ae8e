using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PolicyGate.Core.Registry;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Server.Admission;

namespace PolicyGate.Server.Hosting;

public static class PolicyGateEndpointRouteBuilderExtensions
{
    private static readonly JsonSerializerOptions StatusJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>
    /// <c>POST /validate</c>, <c>/validate/{policy}</c>, <c>/mutate</c>, <c>/mutate/{policy}</c> (a namespaced policy is
    /// <c>{namespace}/{name}</c>), <c>POST /validate-policies</c> (PolicyGate's own policy objects), and
    /// <c>GET /healthz</c>, <c>/readyz</c>, <c>/metrics</c>, <c>/policies</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapPolicyGate(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handler = endpoints.ServiceProvider.GetRequiredService<AdmissionHandler>();
        endpoints.MapPost("/validate", (HttpContext c) => handler.HandleAsync(c, AdmissionEndpoint.Validate, null));
        endpoints.MapPost("/validate/{**policy}", (HttpContext c, string policy) => handler.HandleAsync(c, AdmissionEndpoint.Validate, policy));
        endpoints.MapPost("/mutate", (HttpContext c) => handler.HandleAsync(c, AdmissionEndpoint.Mutate, null));
        endpoints.MapPost("/mutate/{**policy}", (HttpContext c, string policy) => handler.HandleAsync(c, AdmissionEndpoint.Mutate, policy));
        var policyValidation = endpoints.ServiceProvider.GetRequiredService<PolicyValidationHandler>();
        endpoints.MapPost(PolicyValidationHandler.Path, policyValidation.HandleAsync);

        var registry = endpoints.ServiceProvider.GetRequiredService<PolicyRegistry>();
        endpoints.MapGet("/healthz", () => Results.Text("ok\n"));
        endpoints.MapGet("/readyz", () => registry.IsReady
            ? Results.Text("ready\n")
            : Results.Json(ApiError.Of(StatusCodes.Status503ServiceUnavailable, "the policies are still loading"), ApiError.JsonOptions, statusCode: StatusCodes.Status503ServiceUnavailable));
        endpoints.MapPrometheusScrapingEndpoint("/metrics"); // OpenTelemetry's exporter (PolicyGateTelemetry)
        var isolation = endpoints.ServiceProvider.GetRequiredService<IsolationSupervisor>();
        endpoints.MapGet("/policies", () =>
        {
            var snapshot = registry.Current;
            var workers = isolation.Workers().ToDictionary(w => w.Worker, StringComparer.Ordinal);
            var policies = snapshot.Statuses.Select(status =>
            {
                var worker = snapshot.Find(status.Name)?.Program is IsolatedProgram isolated ? workers.GetValueOrDefault(isolated.Worker) : null;
                return new PolicyView(status, worker is null ? "inProcess" : "process", worker);
            });
            return Results.Json(new { revision = snapshot.Version, policies }, StatusJson);
        });
        return endpoints;
    }
}
