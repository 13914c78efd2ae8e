using System.Text;
using PolicyGate.Kubernetes.Certificates;

namespace PolicyGate.Kubernetes.Tests.Certificates;

public class CaBundleTests
{
    private static readonly ServingCertificates Generated =
        CertificateGenerator.Generate(new ServingCertificateRequest("policygate", "policygate"), new FixedTimeProvider(new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero)));

    private static string Decode(string base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64));

    [Fact]
    public void Encode_Pem_IsBase64OfThePemBytes()
    {
        Assert.Equal(Generated.CaCertificatePem, Decode(CaBundle.Encode(Generated.CaCertificatePem)));
    }

    [Fact]
    public void TryRead_Pem_ReturnsBase64OfThePem()
    {
        Assert.True(CaBundle.TryRead(Generated.CaCertificatePem, out var bundle, out var error), error);

        Assert.Equal(Generated.CaCertificatePem, Decode(bundle));
    }

    [Fact]
    public void TryRead_Base64OfPemOnSeveralLines_ReturnsTheSameBundle()
    {
        var base64 = CaBundle.Encode(Generated.CaCertificatePem);
        var wrapped = string.Join("\n", base64.Chunk(76).Select(c => new string(c))) + "\n";

        Assert.True(CaBundle.TryRead(wrapped, out var bundle, out var error), error);

        Assert.Equal(base64, bundle);
    }

    [Fact]
    public void TryRead_TwoCertificates_KeepsBoth()
    {
        var two = Generated.CaCertificatePem + Generated.CertificatePem;

        Assert.True(CaBundle.TryRead(two, out var bundle, out var error), error);

        Assert.Equal(two, Decode(bundle));
    }

    [Theory]
    [InlineData("", "neither PEM")]
    [InlineData("not a certificate", "neither PEM")]
    [InlineData("aGVsbG8gd29ybGQ=", "not of PEM")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "does not parse")]
    public void TryRead_NotACertificate_FailsWithReason(string text, string expected)
    {
        Assert.False(CaBundle.TryRead(text, out var bundle, out var error));

        Assert.Null(bundle);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_PrivateKey_FailsNamingTheMixUp()
    {
        Assert.False(CaBundle.TryRead(Generated.PrivateKeyPem, out _, out var error));

        Assert.Contains("private key", error, StringComparison.Ordinal);
    }
}
