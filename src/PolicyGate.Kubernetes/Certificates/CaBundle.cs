using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PolicyGate.Kubernetes.Certificates;

/// <summary>
/// The <c>caBundle</c> field of a webhook configuration's <c>clientConfig</c>: the PEM text of the CA
/// certificate(s), base64-encoded (the field is <c>[]byte</c>, which Kubernetes writes as base64).
/// </summary>
public static class CaBundle
{
    /// <summary>The caBundle value for PEM text (the UTF-8 bytes, base64-encoded).</summary>
    public static string Encode(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
    }

    /// <summary>
    /// Reads a caBundle from the contents of a file that holds either PEM certificates (such as <c>ca.crt</c>) or
    /// the base64 of them (such as a Secret's <c>data["ca.crt"]</c>). Fails if there is no certificate, if a
    /// certificate does not parse, or if the text holds a private key (a likely mix-up with <c>tls.key</c>).
    /// </summary>
    public static bool TryRead(string text, [NotNullWhen(true)] out string? caBundle, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        caBundle = null;
        var pem = text.TrimStart('\uFEFF');
        if (!pem.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var compact = string.Concat(pem.Where(c => !char.IsWhiteSpace(c)));
            var bytes = new byte[compact.Length];
            if (compact.Length == 0 || !Convert.TryFromBase64String(compact, bytes, out var written))
            {
                error = "holds neither PEM certificates (-----BEGIN CERTIFICATE-----) nor their base64";
                return false;
            }

            pem = Encoding.UTF8.GetString(bytes, 0, written);
            if (!pem.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                error = "is base64, but not of PEM certificates (-----BEGIN CERTIFICATE-----)";
                return false;
            }
        }

        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            error = $"holds a private key; the caBundle is the CA certificate ({TlsFileNames.CaCertificate}), never a key";
            return false;
        }

        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            error = $"holds a certificate that does not parse: {ex.Message}";
            return false;
        }

        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }

        if (certificates.Count == 0)
        {
            error = "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
            return false;
        }

        caBundle = Encode(pem);
        error = null;
        return true;
    }
}
