using System.Net;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Kubernetes.Certificates;

/// <summary>What <see cref="CertificateGenerator"/> makes a certificate for: a Service, plus optional extra names.</summary>
/// <param name="ServiceName">The Service's name (an RFC 1035 label).</param>
/// <param name="Namespace">The Service's namespace (an RFC 1123 label).</param>
public sealed record ServingCertificateRequest(string ServiceName, string Namespace)
{
    /// <summary>Default lifetime of the serving certificate: one year.</summary>
    public static TimeSpan DefaultValidity { get; } = TimeSpan.FromDays(365);

    /// <summary>Default lifetime of the CA: ten years. The CA key is discarded, so this only has to outlive the
    /// serving certificate; it is long so that re-issuing never depends on it.</summary>
    public static TimeSpan DefaultCaValidity { get; } = TimeSpan.FromDays(3650);

    /// <summary>More DNS names for the serving certificate (lower case; a leading <c>*.</c> is allowed).</summary>
    public IReadOnlyList<string> ExtraDnsNames { get; init; } = [];

    /// <summary>IP addresses for the serving certificate (for a webhook reached by URL rather than Service).</summary>
    public IReadOnlyList<IPAddress> ExtraIpAddresses { get; init; } = [];

    /// <summary>How long the serving certificate is valid, from now; at most <see cref="CaValidity"/>.</summary>
    public TimeSpan Validity { get; init; } = DefaultValidity;

    /// <summary>How long the CA certificate is valid, from now.</summary>
    public TimeSpan CaValidity { get; init; } = DefaultCaValidity;

    /// <summary>
    /// The names the API server may use for the Service, <c>svc</c>, <c>svc.ns</c>, <c>svc.ns.svc</c> and
    /// <c>svc.ns.svc.cluster.local</c>, followed by <see cref="ExtraDnsNames"/>, without duplicates. The API server
    /// calls a webhook at <c>svc.ns.svc</c>; the others cover clients inside the cluster.
    /// </summary>
    public IReadOnlyList<string> DnsNames =>
    [
        .. new[]
        {
            ServiceName,
            $"{ServiceName}.{Namespace}",
            $"{ServiceName}.{Namespace}.svc",
            $"{ServiceName}.{Namespace}.svc.cluster.local",
        }.Concat(ExtraDnsNames).Distinct(StringComparer.Ordinal),
    ];

    /// <summary>Every problem with the request (empty when it is good), each naming the field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!KubernetesNames.IsServiceName(ServiceName))
        {
            errors.Add($"service name \"{ServiceName}\" is not a valid Service name (lower-case letters, digits and '-', starting with a letter, at most {KubernetesNames.MaxLabelLength} characters)");
        }

        if (!KubernetesNames.IsDnsLabel(Namespace))
        {
            errors.Add($"namespace \"{Namespace}\" is not a valid namespace name (lower-case letters, digits and '-', at most {KubernetesNames.MaxLabelLength} characters)");
        }

        foreach (var name in ExtraDnsNames)
        {
            var host = name is not null && name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
            if (!KubernetesNames.IsDnsSubdomain(host))
            {
                errors.Add($"DNS name \"{name}\" is not a valid host name (lower-case letters, digits, '-' and '.', optionally starting with \"*.\")");
            }
        }

        if (ExtraIpAddresses.Any(ip => ip is null))
        {
            errors.Add("an IP address is missing (null)");
        }

        if (CaValidity <= TimeSpan.Zero)
        {
            errors.Add($"the CA validity must be positive, got {CaValidity}");
        }

        if (Validity <= TimeSpan.Zero)
        {
            errors.Add($"the validity must be positive, got {Validity}");
        }
        else if (Validity > CaValidity)
        {
            errors.Add($"the serving certificate cannot outlive its CA: validity {Validity.TotalDays:0.##} days is more than the CA's {CaValidity.TotalDays:0.##} days");
        }

        return errors;
    }
}
