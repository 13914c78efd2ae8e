using System.Diagnostics;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// How to start a worker process: <c>policygate worker</c>, with an environment of its own. The worker gets none of
/// the server's environment (no kubeconfig path, no credentials in variables, not even the home folder): only what
/// the .NET runtime needs to start, and a GC heap limit so that a policy that allocates without end fails with
/// OutOfMemory in its worker instead of taking the machine's memory.
/// </summary>
/// <param name="FileName">The <c>policygate</c> executable (or <c>dotnet</c>).</param>
/// <param name="Arguments">The arguments before <c>worker</c> (for <c>dotnet</c>: <c>exec path/policygate.dll</c>).</param>
public sealed record WorkerLauncher(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The GC heap limit of a worker.</summary>
    public const long DefaultMemoryLimitBytes = 512L * 1024 * 1024;

    /// <summary>Environment variables a worker inherits from the server, if set: only what starts the runtime.</summary>
    private static readonly string[] Inherited = ["DOTNET_ROOT", "DOTNET_ROOT_X64", "DOTNET_ROOT_ARM64"];

    public long MemoryLimitBytes { get; init; } = DefaultMemoryLimitBytes;

    /// <summary>The <c>policygate</c> apphost in <paramref name="directory"/> (where the CLI's assembly is).</summary>
    public static WorkerLauncher ForExecutableIn(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? "policygate.exe" : "policygate");
        if (File.Exists(apphost))
        {
            return new WorkerLauncher(apphost, []);
        }

        // No apphost (a framework-dependent copy without it): run the assembly with the dotnet host.
        return new WorkerLauncher("dotnet", ["exec", Path.Combine(directory, "policygate.dll")]);
    }

    internal ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.ArgumentList.Add("worker");
        var inherited = Inherited
            .Select(name => (Name: name, Value: Environment.GetEnvironmentVariable(name)))
            .Where(v => !string.IsNullOrEmpty(v.Value))
            .ToList();
        info.Environment.Clear();
        foreach (var (name, value) in inherited)
        {
            info.Environment[name] = value;
        }

        info.Environment["DOTNET_GCHeapHardLimit"] = "0x" + MemoryLimitBytes.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DOTNET_gcServer"] = "0";

        // An ordinary stack (8 MiB): whatever a policy makes recurse past it crashes this worker, which is what a
        // worker is for, instead of committing a large stack of the server's kind.
        info.Environment["DOTNET_Thread_DefaultStackSize"] = "0x800000";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }
}
