using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace PolicyGate.Kubernetes.Certificates;

/// <summary>What <see cref="TlsSecretWriter.EnsureAsync"/> did.</summary>
/// <param name="Written">True when the Secret was created or replaced; false when the one there was kept.</param>
/// <param name="Reason">Why, for the user.</param>
public sealed record TlsSecretResult(bool Written, string Reason);

/// <summary>
/// Keeps a <c>kubernetes.io/tls</c> Secret holding a serving certificate (<c>tls.crt</c>, <c>tls.key</c>, and
/// <c>ca.crt</c>, which serve reads for the webhooks' caBundle): a Secret that already holds a certificate for the
/// same names, valid beyond the renewal margin, is kept, so a Job that runs on every install does not rotate it;
/// otherwise a new one is made and the Secret created or replaced.
/// </summary>
public sealed class TlsSecretWriter(IKubernetes client)
{
    public async Task<TlsSecretResult> EnsureAsync(string @namespace, string name, ServingCertificateRequest request, TimeSpan renewBefore,
        TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(time);
        V1Secret? current = null;
        try
        {
            current = await client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }

        var reason = current is null ? "there was no Secret" : Stale(current, request, time.GetUtcNow() + renewBefore);
        if (reason is null)
        {
            return new TlsSecretResult(false, "the certificate there is for the same names and is not due for renewal");
        }

        var generated = CertificateGenerator.Generate(request);
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "kubernetes.io/tls",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "policygate" },
                ResourceVersion = current?.Metadata?.ResourceVersion,
            },
            Data = new Dictionary<string, byte[]>
            {
                [TlsFileNames.CaCertificate] = Encoding.ASCII.GetBytes(generated.CaCertificatePem),
                [TlsFileNames.Certificate] = Encoding.ASCII.GetBytes(generated.CertificatePem),
                [TlsFileNames.PrivateKey] = Encoding.ASCII.GetBytes(generated.PrivateKeyPem),
            },
        };
        if (current is null)
        {
            await client.CoreV1.CreateNamespacedSecretAsync(secret, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.CoreV1.ReplaceNamespacedSecretAsync(secret, name, @namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return new TlsSecretResult(true, reason);
    }

    /// <summary>Why the Secret's certificate must be replaced, or null when it can stay.</summary>
    private static string? Stale(V1Secret secret, ServingCertificateRequest request, DateTimeOffset renewBy)
    {
        if (secret.Data is null || !secret.Data.TryGetValue(TlsFileNames.Certificate, out var crt) ||
            !secret.Data.TryGetValue(TlsFileNames.PrivateKey, out var key) || !secret.Data.ContainsKey(TlsFileNames.CaCertificate))
        {
            return $"the Secret lacks {TlsFileNames.Certificate}, {TlsFileNames.PrivateKey} or {TlsFileNames.CaCertificate}";
        }

        try
        {
            using var certificate = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(crt), Encoding.ASCII.GetString(key));
            if (certificate.NotAfter.ToUniversalTime() < renewBy.UtcDateTime)
            {
                return $"its certificate expires {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd}, within the renewal margin";
            }

            var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().SelectMany(e => e.EnumerateDnsNames()).ToHashSet(StringComparer.Ordinal);
            var missing = request.DnsNames.Where(n => !names.Contains(n)).ToList();
            return missing.Count > 0 ? $"its certificate lacks the names {string.Join(", ", missing)}" : null;
        }
        catch (CryptographicException ex)
        {
            return $"its certificate does not load: {ex.Message}";
        }
    }
}
