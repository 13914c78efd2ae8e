using System.Security.Cryptography.X509Certificates;
using System.Text;
using static PolicyGate.Cli.Tests.CliRunner;

namespace PolicyGate.Cli.Tests;

public sealed class CertsGenerateCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Out => _temp.File("certs");

    private CliOutput Generate(params string[] extra) =>
        Invoke(["certs", "generate", "--service", "policygate", "--namespace", "policygate-system", "--out", Out, .. extra]);

    [Fact]
    public void Generate_NewFolder_WritesTheThreeFilesAndExitsZero()
    {
        var result = Generate();

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], Directory.GetFiles(Out).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Out, "ca.crt")));
        using var leaf = X509Certificate2.CreateFromPemFile(Path.Combine(Out, "tls.crt"), Path.Combine(Out, "tls.key"));
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(ca.Subject, leaf.Issuer);
        Assert.Contains("policygate.policygate-system.svc", Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>()).EnumerateDnsNames());
    }

    [Fact]
    public void Generate_Stdout_IsTheBase64OfCaCrt()
    {
        var result = Generate();

        var bundle = Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(File.ReadAllText(Path.Combine(Out, "ca.crt")), Encoding.UTF8.GetString(Convert.FromBase64String(bundle)));
    }

    [Fact]
    public void Generate_Stderr_OneLineNamingTheFolderAndTheService()
    {
        var result = Generate();

        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("wrote ca.crt, tls.crt, tls.key to " + Out, line, StringComparison.Ordinal);
        Assert.Contains("policygate.policygate-system.svc", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_OnUnix_KeyIsOwnerReadWriteOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no Unix file modes; xunit 2 has no dynamic skip
        }

        Generate();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(Out, "tls.key")));
    }

    [Fact]
    public void Generate_ExistingFiles_RefusesAndLeavesThemAlone()
    {
        Directory.CreateDirectory(Out);
        File.WriteAllText(Path.Combine(Out, "tls.key"), "keep me");

        var result = Generate();

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("tls.key already exists; pass --force", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(Out, "tls.key")));
        Assert.False(File.Exists(Path.Combine(Out, "ca.crt")));
    }

    [Fact]
    public void Generate_ExistingFilesWithForce_ReplacesThemWithFreshOnes()
    {
        Assert.Equal(ExitCodes.Success, Generate().ExitCode);
        var firstCa = File.ReadAllText(Path.Combine(Out, "ca.crt"));
        var key = Path.Combine(Out, "tls.key");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        }

        var result = Generate("--force");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.NotEqual(firstCa, File.ReadAllText(Path.Combine(Out, "ca.crt")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }
    }

    [Fact]
    public void Generate_ExtraDnsIpAndDays_InTheCertificate()
    {
        var result = Generate("--dns", "webhook.example.com", "--dns", "localhost", "--ip", "127.0.0.1", "::1", "--days", "30");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var leaf = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Out, "tls.crt")));
        var san = Assert.Single(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["webhook.example.com", "localhost"], san.EnumerateDnsNames().Skip(4));
        Assert.Equal(["127.0.0.1", "::1"], san.EnumerateIPAddresses().Select(a => a.ToString()));
        var days = (leaf.NotAfter - leaf.NotBefore).TotalDays;
        Assert.InRange(days, 30, 30.01);
    }

    [Theory]
    [InlineData("--days", "0", "--days: must be from 1 to 3650, got 0")]
    [InlineData("--days", "3651", "--days: must be from 1 to 3650, got 3651")]
    [InlineData("--ip", "10.1", "--ip: \"10.1\" is not an IPv4 or IPv6 address")]
    [InlineData("--ip", "fe80::1%eth0", "--ip: \"fe80::1%eth0\" is not")]
    [InlineData("--dns", "Web.example.com", "DNS name \"Web.example.com\" is not a valid host name")]
    public void Generate_BadOption_ExitTwoNamingIt(string option, string value, string expected)
    {
        var result = Generate(option, value);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("error: " + expected, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [Theory]
    [InlineData("Policygate", "ns", "service name \"Policygate\"")]
    [InlineData("policygate", "my_ns", "namespace \"my_ns\"")]
    public void Generate_BadNames_ExitTwoNamingThem(string service, string ns, string expected)
    {
        var result = Invoke("certs", "generate", "--service", service, "--namespace", ns, "--out", Out);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("error: " + expected, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("certs")]
    [InlineData("certs", "generate", "--namespace", "ns", "--out", "x")]
    [InlineData("certs", "generate", "--service", "s", "--out", "x")]
    [InlineData("certs", "generate", "--service", "s", "--namespace", "ns")]
    [InlineData("certs", "generate", "--service", "s", "--namespace", "ns", "--out", "x", "--days", "many")]
    public void Generate_MissingOrMalformedArguments_ExitTwo(params string[] args)
    {
        var result = Invoke(args);

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.StartsWith("error:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_OutIsAFile_ExitTwo()
    {
        File.WriteAllText(Out, "");

        var result = Generate();

        Assert.Equal(ExitCodes.InputError, result.ExitCode);
        Assert.Contains("is a file, not a folder", result.Error, StringComparison.Ordinal);
    }
}
