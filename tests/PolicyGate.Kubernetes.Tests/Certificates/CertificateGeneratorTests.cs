using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PolicyGate.Kubernetes.Certificates;

namespace PolicyGate.Kubernetes.Tests.Certificates;

public class CertificateGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly FixedTimeProvider Clock = new(Now);
    private static readonly ServingCertificateRequest Service = new("policygate", "policygate-system");

    private static (X509Certificate2 Ca, X509Certificate2 Leaf) Load(ServingCertificates generated) =>
        (X509Certificate2.CreateFromPem(generated.CaCertificatePem), X509Certificate2.CreateFromPem(generated.CertificatePem));

    private static T Extension<T>(X509Certificate2 certificate)
        where T : X509Extension => Assert.Single(certificate.Extensions.OfType<T>());

    [Fact]
    public void Generate_ServiceOnly_SansAreTheFourServiceNamesExactly()
    {
        var (_, leaf) = Load(CertificateGenerator.Generate(Service, Clock));

        var san = Extension<X509SubjectAlternativeNameExtension>(leaf);
        Assert.Equal(
            ["policygate", "policygate.policygate-system", "policygate.policygate-system.svc", "policygate.policygate-system.svc.cluster.local"],
            san.EnumerateDnsNames());
        Assert.Empty(san.EnumerateIPAddresses());
        Assert.Equal("CN=policygate.policygate-system.svc", leaf.Subject);
    }

    [Fact]
    public void Generate_ExtraDnsNamesAndIps_AppendedWithoutDuplicates()
    {
        var request = Service with
        {
            ExtraDnsNames = ["webhook.example.com", "*.internal.example.com", "policygate.policygate-system.svc"],
            ExtraIpAddresses = [IPAddress.Parse("10.0.0.7"), IPAddress.Parse("fd00::7"), IPAddress.Parse("10.0.0.7")],
        };

        var (_, leaf) = Load(CertificateGenerator.Generate(request, Clock));

        var san = Extension<X509SubjectAlternativeNameExtension>(leaf);
        Assert.Equal(
            [
                "policygate", "policygate.policygate-system", "policygate.policygate-system.svc",
                "policygate.policygate-system.svc.cluster.local", "webhook.example.com", "*.internal.example.com",
            ],
            san.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7"), IPAddress.Parse("fd00::7")], san.EnumerateIPAddresses());
    }

    [Fact]
    public void Generate_ChainWithCaAsCustomRoot_Validates()
    {
        var (ca, leaf) = Load(CertificateGenerator.Generate(Service, Clock));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(CertificateGenerator.ServerAuthOid));
        chain.ChainPolicy.VerificationTime = Now.AddDays(30).UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;

        var valid = chain.Build(leaf);

        Assert.True(valid, string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation}")));
        Assert.Equal(2, chain.ChainElements.Count);
        Assert.Equal(ca.Thumbprint, chain.ChainElements[1].Certificate.Thumbprint);
    }

    [Fact]
    public void Generate_ChainWithAnotherCa_DoesNotValidate()
    {
        var (_, leaf) = Load(CertificateGenerator.Generate(Service, Clock));
        var (otherCa, _) = Load(CertificateGenerator.Generate(Service, Clock));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(otherCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = Now.AddDays(30).UtcDateTime;

        Assert.False(chain.Build(leaf));
    }

    [Fact]
    public void Generate_KeyPem_IsPkcs8AndMatchesTheCertificate()
    {
        var generated = CertificateGenerator.Generate(Service, Clock);

        Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", generated.PrivateKeyPem, StringComparison.Ordinal);
        Assert.EndsWith("-----END PRIVATE KEY-----\n", generated.PrivateKeyPem, StringComparison.Ordinal);
        using var withKey = X509Certificate2.CreateFromPem(generated.CertificatePem, generated.PrivateKeyPem);
        Assert.True(withKey.HasPrivateKey);
        using var privateKey = withKey.GetECDsaPrivateKey()!;
        using var publicKey = withKey.GetECDsaPublicKey()!;
        var data = "policygate"u8.ToArray();
        Assert.True(publicKey.VerifyData(data, privateKey.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));
        Assert.Equal(256, publicKey.KeySize);
    }

    [Fact]
    public void Generate_KeyOfAnotherRun_DoesNotMatch()
    {
        var first = CertificateGenerator.Generate(Service, Clock);
        var second = CertificateGenerator.Generate(Service, Clock);

        Assert.NotEqual(first.PrivateKeyPem, second.PrivateKeyPem);
        Assert.Throws<ArgumentException>(() => X509Certificate2.CreateFromPem(first.CertificatePem, second.PrivateKeyPem));
    }

    [Fact]
    public void Generate_Leaf_IsServerAuthOnlyAndNotACa()
    {
        var (ca, leaf) = Load(CertificateGenerator.Generate(Service, Clock));

        var eku = Extension<X509EnhancedKeyUsageExtension>(leaf);
        Assert.Equal([CertificateGenerator.ServerAuthOid], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var keyUsage = Extension<X509KeyUsageExtension>(leaf);
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages);
        var constraints = Extension<X509BasicConstraintsExtension>(leaf);
        Assert.True(constraints.Critical);
        Assert.False(constraints.CertificateAuthority);
        Assert.Equal(ca.Subject, leaf.Issuer);
        var authorityKey = Extension<X509AuthorityKeyIdentifierExtension>(leaf);
        Assert.Equal(Extension<X509SubjectKeyIdentifierExtension>(ca).SubjectKeyIdentifier, Convert.ToHexString(authorityKey.KeyIdentifier!.Value.Span));
    }

    [Fact]
    public void Generate_Ca_HasCaBasicConstraintsAndSigningKeyUsage()
    {
        var (ca, _) = Load(CertificateGenerator.Generate(Service, Clock));

        var constraints = Extension<X509BasicConstraintsExtension>(ca);
        Assert.True(constraints.Critical);
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.HasPathLengthConstraint);
        Assert.Equal(0, constraints.PathLengthConstraint);
        var keyUsage = Extension<X509KeyUsageExtension>(ca);
        Assert.True(keyUsage.Critical);
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages);
        Assert.Equal(ca.Subject, ca.Issuer);
        Assert.Empty(ca.Extensions.OfType<X509EnhancedKeyUsageExtension>());
    }

    [Fact]
    public void Generate_Defaults_ServingOneYearCaTenYearsBothBackdated()
    {
        var generated = CertificateGenerator.Generate(Service, Clock);
        var (ca, leaf) = Load(generated);

        var start = Now - CertificateGenerator.ClockSkewAllowance;
        Assert.Equal(start, new DateTimeOffset(leaf.NotBefore.ToUniversalTime()));
        Assert.Equal(start, new DateTimeOffset(ca.NotBefore.ToUniversalTime()));
        Assert.Equal(Now.AddDays(365), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
        Assert.Equal(Now.AddDays(3650), new DateTimeOffset(ca.NotAfter.ToUniversalTime()));
        Assert.Equal(Now.AddDays(365), generated.NotAfter);
        Assert.Equal(Now.AddDays(3650), generated.CaNotAfter);
    }

    [Fact]
    public void Generate_CustomValidity_UsedForTheServingCertificate()
    {
        var (_, leaf) = Load(CertificateGenerator.Generate(Service with { Validity = TimeSpan.FromDays(30) }, Clock));

        Assert.Equal(Now.AddDays(30), new DateTimeOffset(leaf.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void Generate_PemOutputs_HoldOneCertificateEachWithTrailingNewline()
    {
        var generated = CertificateGenerator.Generate(Service, Clock);

        foreach (var pem in new[] { generated.CaCertificatePem, generated.CertificatePem })
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPem(pem);
            Assert.Single(certificates);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", pem, StringComparison.Ordinal);
            Assert.EndsWith("-----END CERTIFICATE-----\n", pem, StringComparison.Ordinal);
        }

        Assert.NotEqual(generated.CaCertificatePem, generated.CertificatePem);
    }

    [Fact]
    public void Generate_TwoRuns_DifferentSerialNumbersAndKeys()
    {
        var (ca1, leaf1) = Load(CertificateGenerator.Generate(Service, Clock));
        var (ca2, leaf2) = Load(CertificateGenerator.Generate(Service, Clock));

        Assert.NotEqual(leaf1.SerialNumber, leaf2.SerialNumber);
        Assert.NotEqual(ca1.SerialNumber, ca2.SerialNumber);
        Assert.NotEqual(leaf1.SerialNumber, ca1.SerialNumber);
        Assert.Equal(16, leaf1.SerialNumberBytes.Length);
        Assert.NotEqual(ca1.PublicKey.EncodedKeyValue.RawData, ca2.PublicKey.EncodedKeyValue.RawData);
    }

    [Theory]
    [InlineData("Policygate", "ns", "service name \"Policygate\"")]
    [InlineData("9gate", "ns", "service name \"9gate\"")]
    [InlineData("gate", "bad_ns", "namespace \"bad_ns\"")]
    [InlineData("gate", "", "namespace \"\"")]
    public void Generate_InvalidNames_ThrowsNamingTheField(string service, string ns, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => CertificateGenerator.Generate(new ServingCertificateRequest(service, ns), Clock));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ValidityLongerThanCa_ReportsIt()
    {
        var request = Service with { Validity = TimeSpan.FromDays(4000) };

        var error = Assert.Single(request.Validate());

        Assert.Contains("cannot outlive its CA", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Upper.example.com")]
    [InlineData("under_score.example.com")]
    [InlineData("trailing-.example.com")]
    [InlineData("double..dot")]
    [InlineData("*")]
    [InlineData("a.*.example.com")]
    public void Validate_BadExtraDnsName_ReportsIt(string name)
    {
        var error = Assert.Single((Service with { ExtraDnsNames = [name] }).Validate());

        Assert.Contains($"\"{name}\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAll()
    {
        var request = new ServingCertificateRequest("Bad", "Bad") { ExtraDnsNames = ["x_y"], Validity = TimeSpan.Zero };

        Assert.Equal(4, request.Validate().Count);
    }
}
