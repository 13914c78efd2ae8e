using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Sandbox;

namespace PolicyGate.Scripting.Compilation;

/// <summary>
/// The fixed world a policy script compiles against: its imports, the assemblies it may reference, and the
/// compiler switches. Kept in one place so the compile-cache key can name it.
/// </summary>
internal static class ScriptEnvironment
{
    /// <summary>Bump when imports, references or the globals API change: it invalidates cached compilations.</summary>
    public const string Version = "4";

    /// <summary>
    /// The editor-only globals file that <c>policygate new</c> writes (completion and type checking in an editor): a
    /// script's <c>#load</c> of a file of this name is dropped before compiling (its line kept, blank), since
    /// PolicyGate gives every script that API itself. Any other <c>#load</c> is refused (PG0002).
    /// </summary>
    public const string EditorGlobalsFileName = "policygate.globals.csx";

    public static readonly ImmutableArray<string> Imports =
    [
        "System",
        "System.Collections.Generic",
        "System.Linq",
        "System.Text",
        "System.Text.RegularExpressions",
        "System.Text.Json",
        "System.Text.Json.Nodes",
        "PolicyGate.Core.Admission",
        "PolicyGate.Core.Kubernetes",
        "PolicyGate.Core.PolicyApi",
    ];

    private static readonly string[] FrameworkAssemblies =
    [
        "System.Runtime",
        "System.Private.CoreLib",
        "System.Collections",
        "System.Linq",
        "System.Text.RegularExpressions",
        "System.Text.Json",
        "System.Memory",
        "System.Runtime.Extensions",
        "netstandard",

        // Safe parts the API allow-list (Sandbox/ApiAllowList.cs) opens; everything else in them stays refused.
        "System.Collections.Immutable",
        "System.Collections.Concurrent",
        "System.Private.Uri",
        "System.Net.Primitives",
        "System.Linq.Parallel", // only so that AsParallel() is refused by name instead of "no such method"
    ];

    /// <summary>Built on first compile: a start-up served entirely from the disk cache never reads them.</summary>
    public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

    private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(BuildReferences);

    private static ImmutableArray<MetadataReference> BuildReferences()
    {
        var trusted = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(p => Path.GetFileNameWithoutExtension(p), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var builder = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var name in FrameworkAssemblies)
        {
            if (trusted.TryGetValue(name, out var path))
            {
                builder.Add(MetadataReference.CreateFromFile(path));
            }
        }

        // KubernetesClient for its models (k8s.Models), which are not imported: PolicyGate's own V1Pod, V1PodSpec... keep
        // their names, and a script writes `using k8s.Models;` or k8s.Models.V1Service. The sandbox allows k8s.Models only.
        foreach (var assembly in new[] { typeof(PolicyContext).Assembly, typeof(JsonNode).Assembly, typeof(Regex).Assembly, typeof(k8s.Models.V1Service).Assembly })
        {
            if (!builder.OfType<PortableExecutableReference>().Any(r => string.Equals(r.FilePath, assembly.Location, StringComparison.Ordinal)))
            {
                builder.Add(MetadataReference.CreateFromFile(assembly.Location));
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>
    /// Identifies this build of the engine: the code of Core (the script API) and Scripting, Roslyn, and the version
    /// of the sandbox's API allow-list.
    /// </summary>
    public static string EngineFingerprint { get; } = Fingerprint(ApiAllowList.Version);

    internal static string Fingerprint(string allowListVersion) => string.Join(
        "|",
        Version,
        allowListVersion,
        typeof(PolicyContext).Assembly.ManifestModule.ModuleVersionId,
        typeof(ScriptEnvironment).Assembly.ManifestModule.ModuleVersionId,
        RoslynVersion,
        Environment.Version);

    /// <summary>
    /// The version of Roslyn this assembly was built against, read from its references: no Roslyn assembly is loaded
    /// for it, so a start-up served entirely from the compile cache never loads the compiler.
    /// </summary>
    internal static Version? RoslynVersion =>
        typeof(ScriptEnvironment).Assembly.GetReferencedAssemblies()
            .FirstOrDefault(a => a.Name == "Microsoft.CodeAnalysis.CSharp")?.Version;

    public static Assembly CoreAssembly => typeof(PolicyContext).Assembly;
}
