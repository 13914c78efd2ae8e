using System.Diagnostics;
using PolicyGate.Tests.TestSupport;

namespace PolicyGate.Core.Tests.Deploy;

/// <summary>
/// The kind end-to-end script (tests/e2e/run.sh) cannot run here (no Docker engine), so what can be checked without a
/// cluster is: it parses, what it uses exists, and it installs deploy/ (which DeployTests check) with the image it built.
/// </summary>
public sealed class E2eScriptTests
{
    private static readonly string Script = Path.Combine(RepoPaths.Root, "tests", "e2e", "run.sh");

    [Fact]
    public void Script_Parses()
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Script]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        Assert.True(bash.WaitForExit(30_000));
        Assert.True(bash.ExitCode == 0, errors);
    }

    [Fact]
    public void PathsItUses_Exist()
    {
        var text = File.ReadAllText(Script);
        foreach (var path in new[] { "deploy", "Dockerfile" })
        {
            Assert.Contains(path == "Dockerfile" ? "docker build" : path, text, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, path)) || Directory.Exists(Path.Combine(RepoPaths.Root, path)), path);
        }
    }

    [Fact]
    public void ItInstallsDeploy_WithTheImageItBuilt()
    {
        var text = File.ReadAllText(Script);
        Assert.Contains("kubectl kustomize deploy | sed \"s#image: policygate:0.1.0#image: $IMAGE#\" | kubectl apply -f -", text, StringComparison.Ordinal);
        Assert.Contains("image: policygate:0.1.0", File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "base", "deployment.yaml")), StringComparison.Ordinal);
        Assert.Contains("image: policygate:0.1.0", File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "certs-job", "job.yaml")), StringComparison.Ordinal);
    }
}
