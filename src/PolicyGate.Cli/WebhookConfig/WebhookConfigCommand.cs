using System.CommandLine;
using PolicyGate.Cli.Commands;
using PolicyGate.Kubernetes.Naming;
using PolicyGate.Server.Certificates;
using PolicyGate.Server.Registration;

namespace PolicyGate.Cli.WebhookConfig;

/// <summary>
/// <c>policygate webhook-config --policies DIR --service NAME --namespace NS --ca-bundle FILE</c>: prints the
/// Validating- and MutatingWebhookConfiguration that send each policy's requests to PolicyGate.
/// </summary>
internal static class WebhookConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var policies = new Option<string[]>("--policies", "-p")
        {
            Description = "Policy files or folders (every .yaml/.yml/.json below them); each policy gets one webhook.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var service = new Option<string>("--service")
        {
            Description = "The PolicyGate Service's name.",
            Required = true,
        };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "The PolicyGate Service's namespace.",
            Required = true,
        };
        var caBundle = new Option<string>("--ca-bundle")
        {
            Description = "The CA certificate that signed PolicyGate's serving certificate: a PEM file such as ca.crt, or a file holding its base64.",
        };
        var injectCaFrom = new Option<string>("--inject-ca-from")
        {
            Description = "Instead of --ca-bundle: NAMESPACE/CERTIFICATE of the cert-manager Certificate whose CA cert-manager injects.",
        };
        var port = new Option<int>("--port")
        {
            Description = "The Service's port.",
            DefaultValueFactory = _ => WebhookService.DefaultPort,
        };

        var command = new Command(
            "webhook-config",
            "Print the ValidatingWebhookConfiguration (validating policies) and MutatingWebhookConfiguration (mutating " +
            "policies) that send each policy's admission requests to PolicyGate, as YAML for kubectl apply -f -.\n" +
            "Exit codes: 0 printed; 2 bad arguments, an unreadable CA bundle, or a policy that does not load.")
        {
            policies, service, ns, caBundle, injectCaFrom, port,
        };
        command.SetAction(parse => Execute(
            parse.GetValue(policies)!,
            parse.GetValue(service)!,
            parse.GetValue(ns)!,
            parse.GetValue(caBundle),
            parse.GetValue(injectCaFrom),
            parse.GetValue(port),
            console));
        return command;
    }

    private static int Execute(string[] policyPaths, string serviceName, string serviceNamespace, string? caBundleFile, string? injectCaFrom, int port, CliConsole console)
    {
        var errors = new List<string>();
        if (!KubernetesNames.IsServiceName(serviceName))
        {
            errors.Add($"--service: \"{serviceName}\" is not a valid Service name (lower-case letters, digits and '-', starting with a letter, at most {KubernetesNames.MaxLabelLength} characters)");
        }

        if (!KubernetesNames.IsDnsLabel(serviceNamespace))
        {
            errors.Add($"--namespace: \"{serviceNamespace}\" is not a valid namespace name (lower-case letters, digits and '-', at most {KubernetesNames.MaxLabelLength} characters)");
        }

        if (port is < 1 or > 65535)
        {
            errors.Add($"--port: must be from 1 to 65535, got {port}");
        }

        if ((caBundleFile is null) == (injectCaFrom is null))
        {
            errors.Add("give exactly one of --ca-bundle FILE (the CA that signed the serving certificate) or --inject-ca-from NAMESPACE/CERTIFICATE (cert-manager)");
        }
        else if (injectCaFrom is not null && !IsNamespacedName(injectCaFrom))
        {
            errors.Add($"--inject-ca-from: \"{injectCaFrom}\" must be NAMESPACE/CERTIFICATE, the cert-manager Certificate of the serving certificate");
        }

        string? caBundle = null;
        if (caBundleFile is not null)
        {
            caBundle = ReadCaBundle(caBundleFile, errors);
        }

        if (errors.Count > 0)
        {
            errors.ForEach(e => console.Error.WriteLine($"error: {e}"));
            return ExitCodes.InputError;
        }

        using var loading = new PolicyLoading(CompileCacheLocation.Resolve(), forceIsolation: false);
        if (StrictPolicyLoad.Load(policyPaths, loading, console) is not { } policies)
        {
            return ExitCodes.InputError;
        }

        if (policies.Count == 0)
        {
            console.Error.WriteLine($"error: {string.Join(", ", policyPaths)}: no ClusterAdmissionPolicy or AdmissionPolicy found");
            return ExitCodes.InputError;
        }

        foreach (var warning in RuleWarnings.For(policies))
        {
            console.Error.WriteLine($"warning: {warning.Source}: {warning.Message}");
        }

        var result = WebhookConfigurationBuilder.Build(
            [.. policies.Select(p => p.Resource)],
            new WebhookService(serviceName, serviceNamespace, port, caBundle, injectCaFrom));
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                console.Error.WriteLine($"error: {error}");
            }

            return ExitCodes.InputError;
        }

        console.Out.Write(YamlWriter.Write(result.Documents));
        return ExitCodes.Success;
    }

    private static string? ReadCaBundle(string path, List<string> errors)
    {
        if (!CaBundleFile.TryRead(path, out var caBundle, out var error))
        {
            errors.Add($"--ca-bundle: {error}");
        }

        return caBundle;
    }

    private static bool IsNamespacedName(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2 && KubernetesNames.IsDnsLabel(parts[0]) && KubernetesNames.IsDnsSubdomain(parts[1]);
    }
}
