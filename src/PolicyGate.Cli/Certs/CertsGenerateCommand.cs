using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PolicyGate.Kubernetes.Certificates;
using PolicyGate.Kubernetes.Connection;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Cli.Certs;

/// <summary>
/// <c>policygate certs generate --service NAME --namespace NS --out DIR</c>: a new CA and a serving certificate for
/// the Service, written as <c>ca.crt</c>, <c>tls.crt</c> and <c>tls.key</c>; the caBundle goes to stdout.
/// </summary>
internal static class CertsGenerateCommand
{
    private static readonly int MaxDays = (int)ServingCertificateRequest.DefaultCaValidity.TotalDays;

    private static readonly string[] FileNames = [TlsFileNames.CaCertificate, TlsFileNames.Certificate, TlsFileNames.PrivateKey];

    public static Command Create(CliConsole console)
    {
        var service = new Option<string>("--service")
        {
            Description = "The webhook's Service name.",
            Required = true,
        };
        var ns = new Option<string>("--namespace", "-n")
        {
            Description = "The Service's namespace.",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = $"The folder to write {string.Join(", ", FileNames)} into (created if missing).",
        };
        var secret = new Option<string>("--secret")
        {
            Description = "Instead of --out: write them into this kubernetes.io/tls Secret in --namespace (in a pod, or with --kubeconfig), " +
                "keeping one that already holds a certificate for the same names valid for 30 more days (so a Job can run on every install).",
        };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "With --secret: the cluster's kubeconfig (default: the pod's service account)." };
        var context = new Option<string?>("--context") { Description = "With --secret: the kubeconfig context to use." };
        var dns = new Option<string[]>("--dns")
        {
            Description = "More DNS names for the serving certificate (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var ip = new Option<string[]>("--ip")
        {
            Description = "IP addresses for the serving certificate (repeatable).",
            AllowMultipleArgumentsPerToken = true,
        };
        var days = new Option<int>("--days")
        {
            Description = $"Days the serving certificate is valid, 1 to {MaxDays} (the CA is valid {MaxDays} days).",
            DefaultValueFactory = _ => (int)ServingCertificateRequest.DefaultValidity.TotalDays,
        };
        var force = new Option<bool>("--force")
        {
            Description = "Overwrite the files if they exist.",
        };

        var command = new Command(
            "generate",
            "Make a new self-signed CA and a serving certificate for the webhook's Service, write ca.crt, tls.crt and " +
            "tls.key, and print the caBundle (base64 of ca.crt) for the webhook configuration.\n" +
            "Exit codes: 0 written; 2 bad arguments, existing files (see --force) or a write error.")
        {
            service, ns, output, secret, kubeconfig, context, dns, ip, days, force,
        };
        command.SetAction((parse, cancellationToken) => parse.GetValue(secret) is { } secretName
            ? ExecuteSecretAsync(
                new CertsGenerateArguments(
                    parse.GetValue(service)!, parse.GetValue(ns)!, parse.GetValue(output) ?? "", parse.GetValue(dns) ?? [], parse.GetValue(ip) ?? [],
                    parse.GetValue(days), parse.GetValue(force)),
                secretName, parse.GetValue(kubeconfig), parse.GetValue(context), console, cancellationToken)
            : Task.FromResult(Execute(
            new CertsGenerateArguments(
                parse.GetValue(service)!,
                parse.GetValue(ns)!,
                parse.GetValue(output) ?? "",
                parse.GetValue(dns) ?? [],
                parse.GetValue(ip) ?? [],
                parse.GetValue(days),
                parse.GetValue(force)),
            console)));
        return command;
    }

    /// <summary><c>--secret NAME</c>: the certificate goes into a Secret in the cluster instead of files.</summary>
    private static async Task<int> ExecuteSecretAsync(CertsGenerateArguments arguments, string secretName, string? kubeconfig, string? context,
        CliConsole console, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var request = Request(arguments, errors);
        if (arguments.OutputDirectory.Length > 0)
        {
            errors.Add("give --out DIR or --secret NAME, not both");
        }

        if (!KubernetesNames.IsDnsSubdomain(secretName))
        {
            errors.Add($"--secret: \"{secretName}\" is not a valid Secret name");
        }

        if (errors.Count > 0)
        {
            errors.ForEach(e => console.Error.WriteLine($"error: {e}"));
            return ExitCodes.InputError;
        }

        try
        {
            using var connection = ClusterConnection.Connect(kubeconfig, context);
            if (connection is null)
            {
                await console.Error.WriteLineAsync("error: --secret writes to a cluster: run in a pod (its service account) or give --kubeconfig").ConfigureAwait(false);
                return ExitCodes.InputError;
            }

            var result = await new TlsSecretWriter(connection.Client).EnsureAsync(arguments.Namespace, secretName, request, RenewBefore, TimeProvider.System, cancellationToken)
                .ConfigureAwait(false);
            await console.Error.WriteLineAsync(result.Written
                ? $"wrote Secret {arguments.Namespace}/{secretName} (ca.crt, tls.crt, tls.key) for {arguments.ServiceName}.{arguments.Namespace}.svc: {result.Reason}"
                : $"kept Secret {arguments.Namespace}/{secretName}: {result.Reason}").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (InvalidOperationException ex)
        {
            await console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.InputError;
        }
        catch (Exception ex) when (ex is k8s.Autorest.HttpOperationException or HttpRequestException)
        {
            await console.Error.WriteLineAsync($"error: Secret {arguments.Namespace}/{secretName}: {Kubernetes.ApiErrors.Describe(ex)}").ConfigureAwait(false);
            return ExitCodes.InputError;
        }
    }

    /// <summary>A certificate in a Secret is replaced when it has less than this left.</summary>
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private static int Execute(CertsGenerateArguments arguments, CliConsole console)
    {
        var errors = new List<string>();
        var request = Request(arguments, errors);
        if (arguments.OutputDirectory.Length == 0)
        {
            errors.Add("give --out DIR (files) or --secret NAME (a Secret in the cluster)");
        }

        if (errors.Count > 0)
        {
            errors.ForEach(e => console.Error.WriteLine($"error: {e}"));
            return ExitCodes.InputError;
        }

        var paths = FileNames.Select(f => Path.Combine(arguments.OutputDirectory, f)).ToArray();
        if (File.Exists(arguments.OutputDirectory))
        {
            console.Error.WriteLine($"error: --out: {arguments.OutputDirectory} is a file, not a folder");
            return ExitCodes.InputError;
        }

        var existing = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
        if (existing.Length > 0 && !arguments.Force)
        {
            console.Error.WriteLine($"error: {string.Join(", ", existing)} already exist{(existing.Length == 1 ? "s" : "")}; pass --force to replace {(existing.Length == 1 ? "it" : "them")}");
            return ExitCodes.InputError;
        }

        var generated = CertificateGenerator.Generate(request);
        try
        {
            Directory.CreateDirectory(arguments.OutputDirectory);
            Write(paths[0], generated.CaCertificatePem, secret: false);
            Write(paths[1], generated.CertificatePem, secret: false);
            Write(paths[2], generated.PrivateKeyPem, secret: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"error: cannot write the certificate files: {ex.Message}");
            return ExitCodes.InputError;
        }

        console.Out.WriteLine(CaBundle.Encode(generated.CaCertificatePem));
        console.Error.WriteLine(
            $"wrote {string.Join(", ", FileNames)} to {arguments.OutputDirectory}: serving certificate for " +
            $"{arguments.ServiceName}.{arguments.Namespace}.svc until {generated.NotAfter:yyyy-MM-dd}, CA until {generated.CaNotAfter:yyyy-MM-dd}; " +
            "the caBundle is on stdout");
        return ExitCodes.Success;
    }

    /// <summary>The request the arguments describe; every problem with them goes to <paramref name="errors"/>.</summary>
    private static ServingCertificateRequest Request(CertsGenerateArguments arguments, List<string> errors)
    {
        if (arguments.Days < 1 || arguments.Days > MaxDays)
        {
            errors.Add($"--days: must be from 1 to {MaxDays}, got {arguments.Days}");
        }

        var addresses = new List<IPAddress>();
        foreach (var text in arguments.IpAddresses)
        {
            if (TryParseAddress(text, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                errors.Add($"--ip: \"{text}\" is not an IPv4 or IPv6 address");
            }
        }

        var request = new ServingCertificateRequest(arguments.ServiceName, arguments.Namespace)
        {
            ExtraDnsNames = arguments.DnsNames,
            ExtraIpAddresses = addresses,
            // Clamped so that a bad --days is reported once, above, and not again by Validate.
            Validity = TimeSpan.FromDays(Math.Clamp(arguments.Days, 1, MaxDays)),
        };
        errors.AddRange(request.Validate());
        return request;
    }

    /// <summary>A dotted-quad IPv4 or an IPv6 address, without the short forms (<c>10.1</c>) and scope ids
    /// (<c>fe80::1%eth0</c>) that <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also takes.</summary>
    private static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address) =>
        IPAddress.TryParse(text, out address) && !text.Contains('%', StringComparison.Ordinal) &&
        (address.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);

    /// <summary>Creates the file afresh (a replaced file is deleted first), so a key is never readable by others,
    /// not even for a moment: on Unix <c>tls.key</c> is created with mode 0600.</summary>
    private static void Write(string path, string content, bool secret)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(content));
    }
}
