using PolicyGate.Tests.TestSupport;

namespace PolicyGate.Core.Tests.Deploy;

/// <summary>
/// There is no Docker engine on the machines that run these tests, so the Dockerfile is checked as text: its stages,
/// that everything it copies from the repository exists, ReadyToRun, a numeric non-root user, no HEALTHCHECK, and that
/// the paths it sets are the ones deploy/ mounts.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly List<(string Instruction, string Arguments)> Instructions = Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile")));

    [Fact]
    public void TwoStages_SdkBuildThenAspNetRuntime()
    {
        var stages = Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments).ToList();
        Assert.Equal(2, stages.Count);
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", stages[1], StringComparison.Ordinal);
        Assert.Contains(Instructions, i => i.Instruction == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal) &&
            i.Arguments.Contains("-p:PublishReadyToRun=true", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPathItCopies_Exists()
    {
        var copies = Instructions.Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(copies);
        foreach (var (_, arguments) in copies)
        {
            var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                var path = Path.Combine(RepoPaths.Root, source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
            }
        }

        // The built-in policies reach builtin:// as embedded resources of the engine, from policies/ copied in.
        Assert.Contains(copies, c => c.Arguments.StartsWith("policies/", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsAsANumericNonRootUser_WithNoHealthcheck()
    {
        var user = Instructions.Last(i => i.Instruction == "USER").Arguments;
        var uid = user.Split(':')[0];
        Assert.True(int.TryParse(uid, out var id) && id > 0, $"USER {user}: a numeric non-root user, so runAsNonRoot can be checked");
        Assert.DoesNotContain(Instructions, i => i.Instruction == "HEALTHCHECK");
    }

    [Fact]
    public void ThePathsItSets_AreTheOnesDeployMounts()
    {
        var deployment = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "base", "deployment.yaml"));
        var cache = Instructions.Single(i => i.Instruction == "ENV").Arguments
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(p => p.StartsWith("POLICYGATE_CACHE_DIR=", StringComparison.Ordinal))["POLICYGATE_CACHE_DIR=".Length..];
        Assert.Contains($"mountPath: {cache}", deployment, StringComparison.Ordinal);
        Assert.Equal("[\"/app/policygate\"]", Instructions.Single(i => i.Instruction == "ENTRYPOINT").Arguments);
        Assert.Equal("[\"serve\", \"--cert-dir\", \"/etc/policygate/certs\"]", Instructions.Single(i => i.Instruction == "CMD").Arguments);
        Assert.Contains("mountPath: /etc/policygate/certs", deployment, StringComparison.Ordinal);
        Assert.Contains("args: [serve, --cert-dir, /etc/policygate/certs]", deployment, StringComparison.Ordinal);
    }

    /// <summary>Instructions with their arguments, continuation lines joined and comments dropped.</summary>
    private static List<(string, string)> Parse(string text)
    {
        var result = new List<(string, string)>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current += " " + line.TrimEnd('\\').Trim();
            if (line.EndsWith('\\'))
            {
                continue;
            }

            current = current.Trim();
            if (current.Length > 0)
            {
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                result.Add((current[..space].ToUpperInvariant(), string.Join(' ', current[(space + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))));
            }

            current = "";
        }

        return result;
    }
}
