using System.Collections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Server.Observability;

/// <summary>
/// OpenTelemetry for the server. Metrics: the <see cref="PolicyGateMetrics"/> meter, exported on <c>/metrics</c> by
/// OpenTelemetry's Prometheus exporter with the names as they are (no unit or <c>_total</c> suffixes added, no scope
/// labels, no <c>target_info</c>). Traces: the <see cref="EvaluationTracing.SourceName"/> activity source, exported over
/// OTLP, and only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: otherwise no tracer provider is registered, nothing
/// listens to the source, and no span is ever created.
/// </summary>
internal static class PolicyGateTelemetry
{
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ServiceNameVariable = "OTEL_SERVICE_NAME";
    public const string DefaultServiceName = "policygate";

    /// <summary>
    /// The <c>OTEL_*</c> variables of <paramref name="environment"/> as configuration keys: OpenTelemetry reads its
    /// standard variables (endpoint, protocol, headers, sampler, resource attributes) from the configuration, and the
    /// server's builder does not load the environment into it otherwise.
    /// </summary>
    public static Dictionary<string, string?> Variables(IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var variables = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string key && key.StartsWith("OTEL_", StringComparison.Ordinal))
            {
                variables[key] = entry.Value as string;
            }
        }

        return variables;
    }

    /// <summary>Whether <paramref name="configuration"/> names an OTLP endpoint, that is whether spans are exported.</summary>
    public static bool TracingEnabled(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);

    /// <summary>
    /// Registers the meter provider (with the Prometheus exporter) and, when <paramref name="configuration"/> names an
    /// OTLP endpoint, the tracer provider. <see cref="PolicyGateMetrics"/> must be registered too.
    /// </summary>
    public static IServiceCollection AddPolicyGateTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var serviceName = configuration[ServiceNameVariable] is { Length: > 0 } name ? name : DefaultServiceName;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics => metrics.AddPolicyGateMetrics());
        if (TracingEnabled(configuration))
        {
            telemetry.WithTracing(tracing => tracing.AddSource(EvaluationTracing.SourceName).AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// The meter of this container's <see cref="PolicyGateMetrics"/>, and only that one: a Meter is found by name, and
    /// several servers in one process (tests, benchmarks) each have a meter called PolicyGate, so every other meter's
    /// instruments are dropped by a view. Histogram buckets come from the instruments' advice.
    /// </summary>
    public static MeterProviderBuilder AddPolicyGateMetrics(this MeterProviderBuilder metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics is not IDeferredMeterProviderBuilder deferred)
        {
            throw new ArgumentException("a meter provider builder of a service collection is needed, to find its PolicyGateMetrics", nameof(metrics));
        }

        deferred.Configure((services, builder) =>
        {
            var own = services.GetRequiredService<PolicyGateMetrics>().Meter;
            builder.AddView(instrument => ReferenceEquals(instrument.Meter, own) ? null : MetricStreamConfiguration.Drop);
        });
        return metrics
            .AddMeter(PolicyGateMetrics.MeterName)
            .AddPrometheusExporter(prometheus =>
            {
                // The instruments carry their Prometheus names already: written as they are, they stay exactly the
                // names dashboards and alerts were built on.
                prometheus.TranslationStrategy = PrometheusAspNetCoreTranslationStrategy.UnderscoreEscapingWithoutSuffixes;
                prometheus.ScopeInfoEnabled = false;
                prometheus.TargetInfoEnabled = false;
                // Every scrape reads the current figures: a cached answer would lag behind the requests it counts.
                prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
            });
    }
}
