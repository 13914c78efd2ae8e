using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyGate.Kubernetes.Certificates;

/// <summary>
/// Makes a self-signed CA and a serving certificate signed by it, for a webhook behind a Kubernetes Service.
/// </summary>
/// <remarks>
/// <para>
/// Keys are ECDSA P-256, signatures ECDSA with SHA-256: accepted by the API server and every TLS stack PolicyGate
/// talks to, and quicker to make and to handshake with than RSA 2048 at a similar strength.
/// </para>
/// <para>
/// The CA has basic constraints CA=true with path length 0 (it signs leaves only), key usage keyCertSign + cRLSign
/// + digitalSignature, and a subject key identifier. Its private key never leaves this method: nothing can sign
/// with it later, so a new serving certificate comes with a new CA (and a new caBundle).
/// </para>
/// <para>
/// The serving certificate has basic constraints CA=false, key usage digitalSignature (all that ECDHE-ECDSA needs),
/// extended key usage serverAuth, the Service's DNS names (<see cref="ServingCertificateRequest.DnsNames"/>) and
/// any extra IP addresses as subject alternative names, and subject and authority key identifiers.
/// </para>
/// <para>
/// Both certificates start <see cref="ClockSkewAllowance"/> before now, so a node whose clock is a little behind
/// still accepts them, and end <see cref="ServingCertificateRequest.Validity"/> and
/// <see cref="ServingCertificateRequest.CaValidity"/> after now.
/// </para>
/// </remarks>
public static class CertificateGenerator
{
    /// <summary>The object identifier of the serverAuth extended key usage (RFC 5280).</summary>
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>How far back both certificates' validity starts.</summary>
    public static TimeSpan ClockSkewAllowance { get; } = TimeSpan.FromMinutes(5);

    /// <inheritdoc cref="Generate(ServingCertificateRequest, TimeProvider)"/>
    public static ServingCertificates Generate(ServingCertificateRequest request) => Generate(request, TimeProvider.System);

    /// <summary>Makes a new CA and a serving certificate for <paramref name="request"/>, with fresh keys each time.</summary>
    /// <exception cref="ArgumentException">The request is invalid (see <see cref="ServingCertificateRequest.Validate"/>).</exception>
    public static ServingCertificates Generate(ServingCertificateRequest request, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(request));
        }

        // X.509 times have whole seconds; truncating keeps the reported times equal to the certificates'.
        var now = timeProvider.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var notBefore = now - ClockSkewAllowance;
        var caNotAfter = now + request.CaValidity;
        var notAfter = now + request.Validity;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(CommonName($"PolicyGate CA for {request.ServiceName}.{request.Namespace}.svc"), caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var ca = caRequest.Create(caRequest.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, caNotAfter, SerialNumber());
        using var caWithKey = ca.CopyWithPrivateKey(caKey);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest(CommonName($"{request.ServiceName}.{request.Namespace}.svc"), key, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], critical: false));
        leafRequest.CertificateExtensions.Add(SubjectAlternativeNames(request));
        leafRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(leafRequest.PublicKey, critical: false));
        leafRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var leaf = leafRequest.Create(caWithKey, notBefore, notAfter, SerialNumber());

        return new ServingCertificates(
            caWithKey.ExportCertificatePem() + "\n",
            leaf.ExportCertificatePem() + "\n",
            key.ExportPkcs8PrivateKeyPem() + "\n",
            notAfter,
            caNotAfter);
    }

    private static X500DistinguishedName CommonName(string name)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(name);
        return builder.Build();
    }

    private static X509Extension SubjectAlternativeNames(ServingCertificateRequest request)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in request.DnsNames)
        {
            names.AddDnsName(dns);
        }

        foreach (var ip in request.ExtraIpAddresses.Distinct())
        {
            names.AddIpAddress(ip);
        }

        return names.Build(critical: false);
    }

    /// <summary>16 random bytes, positive and without a leading zero byte (RFC 5280 4.1.2.2).</summary>
    private static byte[] SerialNumber()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        return serial;
    }
}
