using System.Diagnostics;
using PolicyGate.Tests.TestSupport;

namespace PolicyGate.Core.Tests.Deploy;

/// <summary>
/// The server benchmarks (bench/server/*.sh) take minutes and two cores, so they cannot run here. What can be checked:
/// each parses, and the bench project modes the memory and profile scripts call exist.
/// </summary>
public sealed class BenchScriptTests
{
    private static readonly string Folder = Path.Combine(RepoPaths.Root, "bench", "server");

    public static TheoryData<string> Scripts() => new(ScriptNames());

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_Parses(string script)
    {
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", Path.Combine(Folder, script)]) { RedirectStandardError = true })!;
        var errors = bash.StandardError.ReadToEnd();
        Assert.True(bash.WaitForExit(30_000));
        Assert.True(bash.ExitCode == 0, errors);
    }

    [Fact]
    public void Scripts_IncludeTheServerAndMemoryBenchmarks()
    {
        var names = ScriptNames();
        Assert.Contains("run.sh", names);
        Assert.Contains("memory.sh", names);
        Assert.Contains("profile.sh", names);
    }

    [Fact]
    public void ProfileScript_RunsTheHandlerLoopTheBenchProjectHas()
    {
        Assert.Contains("\"$bench\" handler-loop", File.ReadAllText(Path.Combine(Folder, "profile.sh")), StringComparison.Ordinal);
        Assert.Contains("which == \"handler-loop\"", File.ReadAllText(Path.Combine(RepoPaths.Root, "bench", "PolicyGate.Bench", "Program.cs")), StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryScript_WritesPoliciesWithAModeTheBenchProjectHas()
    {
        Assert.Contains("\"$bench\" write-policies \"$work/bench-policies\"", File.ReadAllText(Path.Combine(Folder, "memory.sh")), StringComparison.Ordinal);
        Assert.Contains("which == \"write-policies\"", File.ReadAllText(Path.Combine(RepoPaths.Root, "bench", "PolicyGate.Bench", "Program.cs")), StringComparison.Ordinal);
    }

    private static List<string> ScriptNames() =>
        [.. Directory.GetFiles(Folder, "*.sh").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
}
