using System.CommandLine;
using PolicyGate.Cli.Commands;
using Microsoft.Extensions.Hosting;
using PolicyGate.Core.Evaluation;
using PolicyGate.Server.Hosting;

namespace PolicyGate.Cli.Serve;

/// <summary><c>policygate serve --policies DIR --cert-dir DIR [--address 0.0.0.0] [--port 8443] [--kubeconfig FILE [--context NAME]]
/// [--namespace NS] [--service NAME] [--service-port 8443] [--no-webhook-registration]</c></summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var policies = new Option<string>("--policies") { Description = "Folder of policy files; changes are picked up without a restart. Optional with a cluster, whose ClusterAdmissionPolicy and AdmissionPolicy objects are loaded and watched." };
        var certDir = new Option<string>("--cert-dir") { Description = "Folder with tls.crt and tls.key (a TLS Secret's layout); rotations are picked up.", Required = true };
        var address = new Option<string>("--address") { Description = "IP address to listen on.", DefaultValueFactory = _ => "0.0.0.0" };
        var port = new Option<int>("--port") { Description = "HTTPS port.", DefaultValueFactory = _ => 8443 };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not keep compiled scripts on disk between restarts." };
        var isolation = IsolationOption.Create();
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig of the cluster: its policy objects are loaded and watched, and denials become Kubernetes Events. In a pod, the service account is used without it." };
        var context = new Option<string?>("--context") { Description = "Kubeconfig context to use (default: its current context)." };
        var ns = new Option<string?>("--namespace", "-n") { Description = "PolicyGate's own namespace: its Service and leader Lease live there, and no policy's webhook reaches it (default: POD_NAMESPACE, else the service account's namespace, else policygate)." };
        var service = new Option<string>("--service") { Description = "PolicyGate's Service, which the registered webhooks call.", DefaultValueFactory = _ => "policygate" };
        var servicePort = new Option<int>("--service-port") { Description = "The Service's port.", DefaultValueFactory = _ => Server.Registration.WebhookService.DefaultPort };
        var decisionLog = new Option<string>("--decision-log")
        {
            Description = "The decision line, one per request: changes (at Information when a policy denied, warned, mutated or failed, naming those; at Debug when all allowed), all (every request, every decision), or none. Metrics count every decision.",
            DefaultValueFactory = _ => "changes",
        };
        decisionLog.AcceptOnlyFromAmong("changes", "all", "none");
        var noRegistration = new Option<bool>("--no-webhook-registration") { Description = "With a cluster, do not write the webhook configurations named policygate (when they are managed elsewhere, e.g. from policygate webhook-config in Git)." };
        var command = new Command("serve", "Run the admission webhook over TLS (HTTP/1.1 and HTTP/2): POST /validate[/POLICY], /mutate[/POLICY]; GET /healthz, /readyz, /metrics, /policies.")
        {
            policies, certDir, address, port, isolation, noCache, kubeconfig, context, ns, service, servicePort, noRegistration, decisionLog,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new PolicyGateServerOptions
            {
                PoliciesDirectory = parse.GetValue(policies) ?? "",
                CertificateDirectory = parse.GetValue(certDir)!,
                Address = parse.GetValue(address)!,
                Port = parse.GetValue(port),
                CompileCacheDirectory = parse.GetValue(noCache) ? null : CompileCacheLocation.Resolve(),
                IsolateAll = parse.GetValue(isolation) == IsolationOption.Process,
                Kubeconfig = parse.GetValue(kubeconfig),
                KubeContext = parse.GetValue(context),
                ServiceName = parse.GetValue(service)!,
                ServicePort = parse.GetValue(servicePort),
                RegisterWebhooks = !parse.GetValue(noRegistration),
                DecisionLog = parse.GetValue(decisionLog) switch
                {
                    "all" => Server.Observability.DecisionLogMode.All,
                    "none" => Server.Observability.DecisionLogMode.None,
                    _ => Server.Observability.DecisionLogMode.Changes,
                },
            };
            if (parse.GetValue(ns) is { } serviceNamespace)
            {
                options.ServiceNamespace = serviceNamespace;
            }

            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = PolicyGateServer.Create(options);
            }
            catch (InvalidOperationException ex)
            {
                await console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.InputError;
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
                    if (PolicyGateServer.FindFault(app) is { } fault)
                    {
                        await console.Error.WriteLineAsync($"error: the server stopped because it failed: {ExceptionText.Describe(fault)}").ConfigureAwait(false);
                        return ExitCodes.InputError;
                    }
                }
                catch (InvalidOperationException ex)
                {
                    await console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.InputError;
                }
                catch (IOException ex)
                {
                    await console.Error.WriteLineAsync($"error: cannot listen on {options.Address}:{options.Port}: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.InputError;
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
