using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using PolicyGate.Kubernetes.Certificates;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Certificates;

/// <summary>
/// The serving certificate, read from <c>tls.crt</c> and <c>tls.key</c> in a folder (a Kubernetes TLS Secret's
/// layout). Kestrel asks for it on every new connection, so a rotated certificate is used without a restart.
/// </summary>
internal sealed class ServingCertificate(string directory, ILogger<ServingCertificate> logger)
{
    public const string CertificateFile = TlsFileNames.Certificate;
    public const string KeyFile = TlsFileNames.PrivateKey;

    private X509Certificate2? _current;
    private string? _caBundle;

    public string Directory => directory;

    /// <summary>The certificate new connections get.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("the serving certificate is not loaded yet");

    /// <summary>
    /// The <c>caBundle</c> that webhook configurations need to trust the certificate: <c>ca.crt</c> beside it (as
    /// cert-manager and <c>policygate certs generate</c> write), or the certificate itself when it is self-signed;
    /// null when neither is there.
    /// </summary>
    public string? CaBundle => Volatile.Read(ref _caBundle);

    /// <summary>Raised after a reload that changed the certificate or its CA (on the reloading thread).</summary>
    public event Action? Changed;

    /// <summary>Loads the files; at start-up a failure is fatal (the caller reports it), later the old certificate stays.</summary>
    public bool TryReload(bool throwOnError = false)
    {
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(Path.Combine(directory, CertificateFile), Path.Combine(directory, KeyFile));
            if (!certificate.HasPrivateKey)
            {
                throw new InvalidOperationException($"{KeyFile} holds no private key for {CertificateFile}");
            }

            var caBundle = ReadCaBundle(certificate);
            var previous = Interlocked.Exchange(ref _current, certificate);
            var previousCa = Interlocked.Exchange(ref _caBundle, caBundle);
            if (previous?.Thumbprint != certificate.Thumbprint)
            {
                Log.CertificateLoaded(logger, certificate.Subject, certificate.NotAfter.ToUniversalTime());
            }

            if (previous?.Thumbprint != certificate.Thumbprint || previousCa != caBundle)
            {
                Changed?.Invoke();
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException)
        {
            if (throwOnError)
            {
                throw new InvalidOperationException($"--cert-dir {directory}: cannot load {CertificateFile} and {KeyFile}: {ex.Message}", ex);
            }

            // Mid-rotation (one file written, not the other) or a bad Secret: keep serving with the old certificate.
            Log.CertificateReloadFailed(logger, directory, ex);
            return false;
        }
    }

    private string? ReadCaBundle(X509Certificate2 certificate)
    {
        var caFile = Path.Combine(directory, TlsFileNames.CaCertificate);
        if (File.Exists(caFile) && CaBundleFile.TryRead(caFile, out var bundle, out _))
        {
            return bundle;
        }

        return certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
            ? Kubernetes.Certificates.CaBundle.Encode(certificate.ExportCertificatePem())
            : null;
    }
}
