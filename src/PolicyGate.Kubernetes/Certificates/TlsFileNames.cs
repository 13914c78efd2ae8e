namespace PolicyGate.Kubernetes.Certificates;

/// <summary>
/// The file names of a serving certificate: the keys of a <c>kubernetes.io/tls</c> Secret, and so the files of a
/// Secret volume. <c>policygate certs generate</c> writes them and <c>policygate serve --cert-dir</c> reads them.
/// </summary>
public static class TlsFileNames
{
    /// <summary>The CA certificate (PEM) that signed <see cref="Certificate"/>: what webhook configurations trust.</summary>
    public const string CaCertificate = "ca.crt";

    /// <summary>The serving certificate (PEM), the leaf only.</summary>
    public const string Certificate = "tls.crt";

    /// <summary>The serving certificate's private key (PKCS#8 PEM).</summary>
    public const string PrivateKey = "tls.key";
}
