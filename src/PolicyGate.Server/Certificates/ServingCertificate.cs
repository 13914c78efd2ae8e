using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Certificates;

/// <summary>
/// The serving certificate, read from <c>tls.crt</c> and <c>tls.key</c> in a folder (a Kubernetes TLS Secret's
/// layout). Kestrel asks for it on every new connection, so a rotated certificate is used without a restart.
/// </summary>
internal sealed class ServingCertificate(string directory, ILogger<ServingCertificate> logger)
{
    public const string CertificateFile = "tls.crt";
    public const string KeyFile = "tls.key";

    private X509Certificate2? _current;

    public string Directory => directory;

    /// <summary>The certificate new connections get.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("the serving certificate is not loaded yet");

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

            var previous = Interlocked.Exchange(ref _current, certificate);
            if (previous?.Thumbprint != certificate.Thumbprint)
            {
                Log.CertificateLoaded(logger, certificate.Subject, certificate.NotAfter.ToUniversalTime());
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
}
