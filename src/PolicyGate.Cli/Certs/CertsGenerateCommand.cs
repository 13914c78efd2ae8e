using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PolicyGate.Kubernetes.Certificates;

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
            Required = true,
        };
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
            service, ns, output, dns, ip, days, force,
        };
        command.SetAction(parse => Execute(
            new CertsGenerateArguments(
                parse.GetValue(service)!,
                parse.GetValue(ns)!,
                parse.GetValue(output)!,
                parse.GetValue(dns) ?? [],
                parse.GetValue(ip) ?? [],
                parse.GetValue(days),
                parse.GetValue(force)),
            console));
        return command;
    }

    private static int Execute(CertsGenerateArguments arguments, CliConsole console)
    {
        var errors = new List<string>();
        var request = Request(arguments, errors);
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
