using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PolicyGate.Server.Tests.TestSupport;

/// <summary>A CA and serving certificates for 127.0.0.1, made in memory for each test run.</summary>
internal sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=PolicyGate test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    public X509Certificate2 Ca { get; }

    /// <summary>A new serving certificate signed by <see cref="Ca"/>, written as tls.crt and tls.key into <paramref name="directory"/>.</summary>
    public X509Certificate2 WriteServing(string directory, string commonName = "policygate")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var signed = request.Create(Ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), serial);
        var certificate = signed.CopyWithPrivateKey(key);

        // Write the key first and the certificate last, as a rotation would, each atomically.
        WriteAtomically(Path.Combine(directory, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        WriteAtomically(Path.Combine(directory, "tls.crt"), certificate.ExportCertificatePem());
        return certificate;
    }

    public void Dispose() => Ca.Dispose();

    private static void WriteAtomically(string path, string text)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
