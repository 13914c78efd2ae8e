using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Registry;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Certificates;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Policies;

namespace PolicyGate.Server.Hosting;

public static class PolicyGateServiceCollectionExtensions
{
    /// <summary>The webhook's services: registry, compiler, the policy-folder and certificate watchers, metrics.</summary>
    public static IServiceCollection AddPolicyGateServer(this IServiceCollection services, PolicyGateServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddOptions<PolicyGateServerOptions>()
            .Configure(o =>
            {
                o.PoliciesDirectory = options.PoliciesDirectory;
                o.CertificateDirectory = options.CertificateDirectory;
                o.Address = options.Address;
                o.Port = options.Port;
                o.CompileCacheDirectory = options.CompileCacheDirectory;
                o.PollInterval = options.PollInterval;
                o.ReloadDebounce = options.ReloadDebounce;
                o.MaxRequestBodyBytes = options.MaxRequestBodyBytes;
                o.IsolateAll = options.IsolateAll;
                o.WorkerLauncher = options.WorkerLauncher;
            })
            .Validate(o => !o.Validate().Any(), "invalid PolicyGate server options")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PolicyRegistry>();
        services.TryAddSingleton(_ => new PolicyCompiler(options.CompileCacheDirectory));
        services.TryAddSingleton(sp => new IsolationSupervisor(
            options.WorkerLauncher ?? WorkerLauncher.ForExecutableIn(AppContext.BaseDirectory),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<PolicyGateMetrics>();
        services.TryAddSingleton<PrometheusExporter>();
        services.TryAddSingleton<AdmissionHandler>();
        services.TryAddSingleton(sp => new ServingCertificate(options.CertificateDirectory, sp.GetRequiredService<ILogger<ServingCertificate>>()));
        services.AddSingleton<PolicyFolderService>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyFolderService>());
        services.AddHostedService<CertificateReloadService>();
        return services;
    }
}
