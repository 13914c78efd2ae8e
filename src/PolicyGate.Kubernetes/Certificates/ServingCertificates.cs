namespace PolicyGate.Kubernetes.Certificates;

/// <summary>A serving certificate, its key and the CA that signed it, as PEM text.</summary>
/// <param name="CaCertificatePem">The CA certificate: <c>ca.crt</c>, the source of a webhook's <c>caBundle</c>.</param>
/// <param name="CertificatePem">The serving (leaf) certificate alone, without the CA: <c>tls.crt</c>.</param>
/// <param name="PrivateKeyPem">The serving certificate's private key as PKCS#8 (<c>BEGIN PRIVATE KEY</c>): <c>tls.key</c>.</param>
/// <param name="NotAfter">When the serving certificate expires.</param>
/// <param name="CaNotAfter">When the CA certificate expires.</param>
public sealed record ServingCertificates(
    string CaCertificatePem,
    string CertificatePem,
    string PrivateKeyPem,
    DateTimeOffset NotAfter,
    DateTimeOffset CaNotAfter);
