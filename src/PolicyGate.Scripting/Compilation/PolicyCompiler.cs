using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Runtime;
using PolicyGate.Scripting.Sandbox;

namespace PolicyGate.Scripting.Compilation;

/// <summary>
/// Compiles policy scripts with Roslyn. A script is compiled once per distinct source (and engine build) and the
/// program is shared by every policy and request that uses it. The emitted assembly is loaded into its own
/// collectible load context, never into Roslyn's interactive loader (which would keep it forever).
/// </summary>
public sealed partial class PolicyCompiler
{
    private readonly ConcurrentDictionary<string, Lazy<PolicyCompilation>> _programs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PolicyImage> _images = new(StringComparer.Ordinal);
    private readonly CompiledScriptStore? _store;

    /// <param name="cacheDirectory">Where compiled scripts are kept between runs; null keeps them in memory only.</param>
    public PolicyCompiler(string? cacheDirectory = null)
    {
        _store = cacheDirectory is null ? null : new CompiledScriptStore(cacheDirectory);
    }

    /// <summary>How many scripts were compiled by Roslyn (not found in memory or on disk) in this process.</summary>
    public int CompilationCount => _compilations;

    private int _compilations;

    public PolicyCompilation Compile(ScriptSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = CacheKey(source.Code);
        var lazy = _programs.GetOrAdd(key, k => new Lazy<PolicyCompilation>(() => CompileOrLoad(source, k), LazyThreadSafetyMode.ExecutionAndPublication));
        PolicyCompilation result;
        try
        {
            result = lazy.Value;
        }
        catch
        {
            // Lazy keeps the exception: forget it, so that the same source is tried afresh next time.
            _programs.TryRemove(new KeyValuePair<string, Lazy<PolicyCompilation>>(key, lazy));
            throw;
        }

        if (result is PolicyCompilation.Failed)
        {
            // Diagnostics name the file they came from, so a failure is not shared with another origin.
            _programs.TryRemove(new KeyValuePair<string, Lazy<PolicyCompilation>>(key, lazy));
        }

        return result;
    }

    /// <summary>Why the disk cache given to this compiler is not used (e.g. other users may write to it), or null.</summary>
    public string? CacheProblem => _store?.Problem;

    /// <summary>How many compiled programs this compiler holds in memory (and hands out again for the same source).</summary>
    public int CachedProgramCount => _programs.Count;

    /// <summary>
    /// Retires every program this compiler holds that <paramref name="inUse"/> does not contain (compared by
    /// reference): it leaves the in-memory cache, and its load context is unloaded once the evaluations still running
    /// it end. Call it after publishing the policies that serve, from the thread that compiles them, with every
    /// program those policies use; a program compiled but never published (its settings were rejected, say) goes too.
    /// The same source compiled later is loaded again from the disk cache, or recompiled.
    /// </summary>
    /// <returns>How many programs were retired.</returns>
    public int RetainOnly(IEnumerable<IPolicyProgram> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        var keep = new HashSet<IPolicyProgram>(inUse, ReferenceEqualityComparer.Instance);
        var retired = 0;
        foreach (var entry in _programs)
        {
            if (entry.Value is { IsValueCreated: true, Value: PolicyCompilation.Succeeded { Program: var program } } &&
                !keep.Contains(program) &&
                _programs.TryRemove(entry))
            {
                program.Retire();
                retired++;
            }
        }

        return retired;
    }

    /// <summary>SHA-256 over the source and everything that changes what it compiles to.</summary>
    public static string CacheKey(string code) => CacheKey(code, ApiAllowList.Version);

    /// <summary>The cache key under another allow-list version (for tests: a rule change must not reuse old programs).</summary>
    internal static string CacheKey(string code, string allowListVersion)
    {
        var bytes = Encoding.UTF8.GetBytes(ScriptEnvironment.Fingerprint(allowListVersion) + "\n" + code);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>
    /// Compiles a script to bytes without loading it (for a policy that runs in a worker process): from memory, from the
    /// disk cache, or with Roslyn. Null with <paramref name="diagnostics"/> when it does not compile.
    /// </summary>
    public PolicyImage? CompileImage(ScriptSource source, out IReadOnlyList<PolicyDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(source);
        var key = CacheKey(source.Code);
        if (_images.TryGetValue(key, out var image))
        {
            diagnostics = [];
            return image;
        }

        var compiled = CompileImageCore(source, key);
        diagnostics = compiled.Diagnostics;
        if (compiled.Image is { } fresh)
        {
            _images.TryAdd(key, fresh);
        }

        return compiled.Image;
    }

    private PolicyCompilation CompileOrLoad(ScriptSource source, string key)
    {
        var compiled = CompileImageCore(source, key);
        if (compiled.Image is not { } image)
        {
            return new PolicyCompilation.Failed(compiled.Diagnostics);
        }

        try
        {
            return new PolicyCompilation.Succeeded(ScriptProgram.Load(key, image.Assembly, image.Symbols));
        }
        catch (Exception ex) when (compiled.FromCache && ex is BadImageFormatException or InvalidOperationException)
        {
            // A damaged cache entry is recompiled, never trusted.
            var fresh = CompileCore(source);
            if (fresh.Diagnostics.Count > 0)
            {
                return new PolicyCompilation.Failed(fresh.Diagnostics);
            }

            _store?.Save(key, fresh.Assembly, fresh.Symbols);
            return new PolicyCompilation.Succeeded(ScriptProgram.Load(key, fresh.Assembly, fresh.Symbols));
        }
    }

    /// <summary>The compiled bytes from the disk cache, else from Roslyn (then saved to the cache).</summary>
    private (PolicyImage? Image, IReadOnlyList<PolicyDiagnostic> Diagnostics, bool FromCache) CompileImageCore(ScriptSource source, string key)
    {
        if (_store?.TryLoad(key) is { } cached)
        {
            return (new PolicyImage(key, cached.Assembly, cached.Symbols), [], true);
        }

        var compiled = CompileCore(source);
        if (compiled.Diagnostics.Count > 0)
        {
            return (null, compiled.Diagnostics, false);
        }

        _store?.Save(key, compiled.Assembly, compiled.Symbols);
        return (new PolicyImage(key, compiled.Assembly, compiled.Symbols), [], false);
    }

    private (byte[] Assembly, byte[] Symbols, IReadOnlyList<PolicyDiagnostic> Diagnostics) CompileCore(ScriptSource source)
    {
        Interlocked.Increment(ref _compilations);
        var compilation = CreateCompilation(source);

        var diagnostics = new List<PolicyDiagnostic>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var root = tree.GetCompilationUnitRoot();
            foreach (var directive in root.GetReferenceDirectives())
            {
                diagnostics.Add(ToDiagnostic(source, directive.GetLocation(), "PG0001", "#r is not allowed in policy scripts: a script may use only the policy API and the allowed base library"));
            }

            foreach (var directive in root.GetLoadDirectives())
            {
                diagnostics.Add(ToDiagnostic(source, directive.GetLocation(), "PG0002", "#load is not allowed in policy scripts: put the code in the script itself"));
            }
        }

        if (diagnostics.Count > 0)
        {
            return ([], [], diagnostics);
        }

        // The API allow-list, judged on what the script as written binds to (before weaving adds its own calls).
        var refused = SandboxAnalyzer.Analyze(compilation, source.Origin);
        if (refused.Count > 0)
        {
            return ([], [], refused);
        }

        // Budget weaving: budget checks in every loop, goto and call, and catch clauses that cannot catch the stop.
        // A script that does not parse is not woven: emit reports its errors as written.
        var parses = compilation.SyntaxTrees.All(t => !t.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error));
        var woven = parses ? BudgetWeaver.Weave(compilation) : compilation;

        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emit = woven.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
        if (!emit.Success)
        {
            // Report the errors of the script as written (woven code moves columns); the woven ones only if there
            // are none, which would be a bug of the weaver.
            var written = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            diagnostics.AddRange((written.Count > 0 ? written : emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
                .Select(d => ToDiagnostic(source, d.Location, d.Id, d.GetMessage(CultureInfo.InvariantCulture))));
        }

        return emit.Success && diagnostics.Count == 0 ? (pe.ToArray(), pdb.ToArray(), []) : ([], [], diagnostics);
    }

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    private static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            scriptClassName: ScriptProgram.SubmissionTypeName,
            usings: ScriptEnvironment.Imports,
            optimizationLevel: OptimizationLevel.Release,
            allowUnsafe: false,

            // No reference resolvers: #r and #load are refused anyway (PG0001, PG0002), and a metadata resolver makes
            // Roslyn resolve the references' own missing dependencies afresh for every compile, reading assemblies
            // into native memory that is never given back (bench/ recompile: ~10 MB per compile).
            sourceReferenceResolver: null,
            metadataReferenceResolver: null)
        .WithAssemblyIdentityComparer(DesktopAssemblyIdentityComparer.Default);

    /// <summary>
    /// The code with its <c>#load</c> of the editor-only globals file (<see cref="ScriptEnvironment.EditorGlobalsFileName"/>)
    /// blanked: the same length of spaces, so every line and column the compiler reports stays where the author sees it.
    /// </summary>
    internal static string WithoutEditorGlobals(string code) => code.Contains(ScriptEnvironment.EditorGlobalsFileName, StringComparison.Ordinal)
        ? EditorGlobalsLoad().Replace(code, m => new string(' ', m.Length))
        : code;

    [System.Text.RegularExpressions.GeneratedRegex("""^[ \t]*#load[ \t]+"(?:[^"\r\n]*[/\\])?policygate\.globals\.csx"[ \t]*(?://[^\r\n]*)?(?=\r?$)""", System.Text.RegularExpressions.RegexOptions.Multiline)]
    private static partial System.Text.RegularExpressions.Regex EditorGlobalsLoad();

    /// <summary>
    /// The script as Roslyn's scripting API would compile it (a submission class with a factory, the policy context as
    /// globals), built directly: <c>CSharpScript.Create</c> adds a fresh metadata reference to the globals' assembly
    /// and a new assembly loader for every script, native memory that piles up across recompiles (bench/ recompile).
    /// </summary>
    internal static CSharpCompilation CreateCompilation(ScriptSource source)
    {
        var tree = CSharpSyntaxTree.ParseText(SourceText.From(WithoutEditorGlobals(source.Code), Encoding.UTF8), ParseOptions, source.Origin);
        return CSharpCompilation.CreateScriptCompilation(
            "policy-" + Guid.NewGuid().ToString("N"),
            tree,
            ScriptEnvironment.References,
            CompilationOptions,
            previousScriptCompilation: null,
            returnType: typeof(PolicyResult),
            globalsType: typeof(PolicyContext));
    }

    private static PolicyDiagnostic ToDiagnostic(ScriptSource source, Location location, string id, string message)
    {
        if (!location.IsInSource)
        {
            return new PolicyDiagnostic(source.Origin, 1, 1, id, message);
        }

        var span = location.GetMappedLineSpan();
        return new PolicyDiagnostic(source.Origin, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, id, message);
    }
}
