using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using PolicyGate.Core.Events;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Events;
using PolicyGate.Kubernetes.Leadership;
using PolicyGate.Kubernetes.Registration;
using PolicyGate.Kubernetes.Replicas;
using PolicyGate.Kubernetes.Status;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Server.Admission;
using PolicyGate.Server.Certificates;
using PolicyGate.Server.Events;
using PolicyGate.Server.Observability;
using PolicyGate.Server.Policies;
using PolicyGate.Server.Registration;

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
                o.Kubeconfig = options.Kubeconfig;
                o.KubeContext = options.KubeContext;
                o.UseInClusterConfig = options.UseInClusterConfig;
                o.PodName = options.PodName;
                o.ServiceName = options.ServiceName;
                o.ServiceNamespace = options.ServiceNamespace;
                o.ServicePort = options.ServicePort;
                o.RegisterWebhooks = options.RegisterWebhooks;
                o.LeaseDuration = options.LeaseDuration;
                o.RenewDeadline = options.RenewDeadline;
                o.RetryPeriod = options.RetryPeriod;
                o.ResyncInterval = options.ResyncInterval;
                o.HeartbeatInterval = options.HeartbeatInterval;
                o.DecisionLog = options.DecisionLog;
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
        services.TryAddSingleton<AdmissionHandler>();
        services.TryAddSingleton<PolicyValidationHandler>();
        services.TryAddSingleton(sp => new ServingCertificate(options.CertificateDirectory, sp.GetRequiredService<ILogger<ServingCertificate>>()));
        services.AddSingleton<PolicyFolderService>();
        services.AddHostedService(sp => sp.GetRequiredService<PolicyFolderService>());
        services.AddHostedService<CertificateReloadService>();
        return services;
    }

    /// <summary>
    /// The cluster's services when <paramref name="connection"/> is not null: the cluster's ClusterAdmissionPolicy and
    /// AdmissionPolicy objects are loaded beside the folder's and watched (<see cref="ClusterPolicySource"/>), and every
    /// denial, monitor-mode violation and mutation becomes a Kubernetes Event (<see cref="ClusterEventSink"/>), counted
    /// in <c>policygate_events_total</c>.
    /// </summary>
    public static IServiceCollection AddPolicyGateCluster(this IServiceCollection services, ClusterConnection? connection, PolicyGateServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (connection is null)
        {
            return services;
        }

        services.AddSingleton(_ => connection); // built by the container, so disposed with it
        services.AddSingleton(sp =>
        {
            var recorder = new EventRecorder(
                connection.Client,
                new EventRecorderOptions { ReportingInstance = options.PodName },
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<EventRecorder>());
            sp.GetRequiredService<PolicyGateMetrics>().ObserveEvents(() =>
            {
                var counts = recorder.Counts;
                return
                [
                    ("created", counts.Created), ("series", counts.SeriesUpdated), ("dropped", counts.Dropped),
                    ("failed", counts.Failed), ("abandoned", counts.Abandoned),
                ];
            });
            return recorder;
        });
        services.AddSingleton<IPolicyEventSink>(sp => new ClusterEventSink(sp.GetRequiredService<EventRecorder>()));
        services.AddSingleton(sp => new ConfigMapScripts(connection, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new ClusterPolicySource(connection, sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService<EventRecorderService>();

        // Every replica serves; the holder of the Lease writes (webhook configurations, policy status).
        services.AddSingleton(sp => new Leadership(connection.Client,
            new LeaderElectionOptions(options.ServiceNamespace, LeaderElectionOptions.DefaultLeaseName, options.PodName)
            {
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            },
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<Leadership>()));
        services.AddHostedService<LeadershipService>();
        services.AddSingleton(sp => new StatusWriter(connection.Client, sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<StatusWriter>()));
        services.AddSingleton(sp => new ReplicaLeases(connection.Client, options.ServiceNamespace, options.PodName, options.HeartbeatInterval * 3,
            sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger<ReplicaLeases>()));
        services.AddHostedService<ReplicaHeartbeatService>();
        services.AddHostedService<PolicyStatusService>();
        if (options.RegisterWebhooks)
        {
            services.AddSingleton(sp => new WebhookConfigurationWriter(connection.Client, sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<WebhookConfigurationWriter>()));
            services.AddHostedService<WebhookRegistrar>();
        }

        return services;
    }
}
