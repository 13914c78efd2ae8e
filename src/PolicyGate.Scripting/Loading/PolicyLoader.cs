using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.IO;
using PolicyGate.Core.Serialization;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;

namespace PolicyGate.Scripting.Loading;

/// <summary>
/// Turns policy files (YAML or JSON, several policies per file) into compiled policies with bound settings. Every
/// problem (syntax, fields, unknown module, compile errors, bad settings) is reported with its file, document and
/// policy, and never stops the other policies from loading.
/// </summary>
/// <param name="isolation">
/// Runs the policies that are isolated (<see cref="PolicyResource.Isolation"/>) in worker processes; without it, such a
/// policy does not load.
/// </param>
/// <param name="forceIsolation">Runs every policy in a worker process (<c>--isolation process</c>), whatever it says.</param>
/// <param name="configMaps">Reads the scripts of <c>configmap://</c> modules; without it (the CLI) such a module is an error.</param>
public sealed class PolicyLoader(PolicyCompiler compiler, IsolationSupervisor? isolation = null, bool forceIsolation = false, IConfigMapScripts? configMaps = null)
{
    public const string FileScheme = "file://";

    private static readonly string[] FileExtensions = [".yaml", ".yml", ".json"];

    private static readonly string[] TestSuiteSuffixes = [".test.yaml", ".test.yml"];

    /// <summary>
    /// Whether a file in a policy folder is read as policies (YAML or JSON), for the CLI and the server alike. Test
    /// suites (<see cref="IsTestSuiteFile"/>) live beside the policies they test and are not policies.
    /// </summary>
    public static bool IsPolicyFile(string path) =>
        FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase) && !IsTestSuiteFile(path);

    /// <summary>Whether a file is a policy test suite of <c>policygate test</c>: <c>NAME.test.yaml</c> (or <c>.test.yml</c>).</summary>
    public static bool IsTestSuiteFile(string path) =>
        TestSuiteSuffixes.Any(suffix => path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase));

    /// <param name="adjust">
    /// Applied to each policy once it is parsed, before it is compiled: returns the policy to load (its settings
    /// overridden, say) or null to leave it out. <c>policygate test</c> selects and overrides policies this way.
    /// </param>
    public PolicyLoadResult LoadFiles(IEnumerable<string> paths, Func<PolicyResource, PolicyResource?>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var policies = new List<CompiledPolicy>();
        var errors = new List<PolicyLoadError>();
        foreach (var path in paths)
        {
            if (!InputFile.TryReadText(path, out var text, out var readError))
            {
                errors.Add(new PolicyLoadError(path, null, readError));
                continue;
            }

            var result = LoadText(text, path, path, adjust);
            policies.AddRange(result.Policies);
            errors.AddRange(result.Errors);
        }

        RejectDuplicates(policies, errors);
        return new PolicyLoadResult(policies, errors);
    }

    /// <param name="sourceName">Names the text in messages (usually its path).</param>
    /// <param name="filePath">The file the text came from, for <c>file://</c> modules; null for text with no file.</param>
    /// <param name="adjust">As for <see cref="LoadFiles"/>.</param>
    public PolicyLoadResult LoadText(string text, string sourceName, string? filePath, Func<PolicyResource, PolicyResource?>? adjust = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var policies = new List<CompiledPolicy>();
        var errors = new List<PolicyLoadError>();
        foreach (var document in YamlJson.ParseDocuments(text))
        {
            var source = $"{sourceName}#{document.Index + 1}";
            if (document.Error is not null)
            {
                errors.Add(new PolicyLoadError(source, null, document.DescribeError() ?? document.Error));
                continue;
            }

            if (document.Node is not JsonObject obj)
            {
                errors.Add(new PolicyLoadError(source, null, "a policy document must be an object (ClusterAdmissionPolicy or AdmissionPolicy)"));
                continue;
            }

            LoadGuarded(obj, source, filePath, adjust, policies, errors);
        }

        RejectDuplicates(policies, errors);
        return new PolicyLoadResult(policies, errors);
    }

    /// <summary>
    /// The policies of a folder's files and of the cluster's objects together, as one set: a kind and name defined
    /// twice, in two files or in a file and the cluster, is an error under the second source, and the first serves.
    /// A cluster object has no file beside it, so a <c>file://</c> module is an error there.
    /// </summary>
    /// <param name="objects">Policy objects read from the API server, each with the source its errors name (KIND/NAMESPACE/NAME).</param>
    public PolicyLoadResult LoadAll(IEnumerable<string> files, IEnumerable<(JsonObject Object, string Source)> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var fromFiles = LoadFiles(files);
        var policies = fromFiles.Policies.ToList();
        var errors = fromFiles.Errors.ToList();
        foreach (var (obj, source) in objects)
        {
            // A cluster object's file:// would be read from the server's own file system (its service-account token,
            // say): only the policy folder's files may name files.
            if ((obj["spec"] as JsonObject)?["module"] is JsonValue module && module.TryGetValue<string>(out var text) && text.StartsWith(FileScheme, StringComparison.Ordinal))
            {
                errors.Add(new PolicyLoadError(source, NameOf(obj), $"spec.module: \"{text}\": a policy from the cluster cannot read the server's files; use builtin://NAME or spec.script"));
                continue;
            }

            LoadGuarded(obj, source, null, null, policies, errors);
        }

        RejectDuplicates(policies, errors);
        return new PolicyLoadResult(policies, errors);
    }

    private void LoadGuarded(JsonObject obj, string source, string? filePath, Func<PolicyResource, PolicyResource?>? adjust, List<CompiledPolicy> policies, List<PolicyLoadError> errors)
    {
        try
        {
            LoadDocument(obj, source, filePath, adjust, policies, errors);
        }
        catch (Exception ex)
        {
            // Last line of defence: a bug or an unforeseen input in parsing, compiling or binding costs this one
            // policy, reported with its source, never the other policies or the caller.
            errors.Add(new PolicyLoadError(source, NameOf(obj), $"cannot load this policy: {ExceptionText.Describe(ex)}"));
        }
    }

    private void LoadDocument(JsonObject obj, string source, string? filePath, Func<PolicyResource, PolicyResource?>? adjust, List<CompiledPolicy> policies, List<PolicyLoadError> errors)
    {
        var parsed = PolicyResourceParser.Parse(obj, source, filePath);
        if (!parsed.Succeeded)
        {
            var name = NameOf(obj);
            errors.AddRange(parsed.Errors.Select(e => new PolicyLoadError(source, name, e)));
            return;
        }

        var resource = adjust is null ? parsed.Policy! : adjust(parsed.Policy!);
        if (resource is null)
        {
            return;
        }

        var loaded = Load(resource);
        if (loaded.Policy is not null)
        {
            policies.Add(loaded.Policy);
        }

        errors.AddRange(loaded.Errors);
    }

    /// <summary>The policy's name as written, when it is a string: errors name the policy even when it does not parse.</summary>
    private static string? NameOf(JsonObject obj) =>
        (obj["metadata"] as JsonObject)?["name"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;

    /// <summary>Resolves, compiles and binds one parsed policy.</summary>
    public (CompiledPolicy? Policy, IReadOnlyList<PolicyLoadError> Errors) Load(PolicyResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var name = resource.DisplayName;
        var script = ResolveScript(resource, out var error);
        if (script is null)
        {
            return (null, [new PolicyLoadError(resource.Source, name, error!)]);
        }

        if (forceIsolation || resource.Isolation == PolicyIsolation.Process)
        {
            return LoadIsolated(resource, script);
        }

        switch (compiler.Compile(script))
        {
            case PolicyCompilation.Failed failed:
                return (null, failed.Diagnostics.Select(d => new PolicyLoadError(resource.Source, name, $"compile error: {d}")).ToArray());
            case PolicyCompilation.Succeeded { Program: var program }:
                var binding = program.BindSettings(resource.Spec.Settings, TimeSpan.FromSeconds(resource.Spec.TimeoutSeconds));
                if (!binding.Succeeded)
                {
                    return (null, binding.Errors.Select(e => new PolicyLoadError(resource.Source, name, $"spec.settings: {e}")).ToArray());
                }

                return (new CompiledPolicy(resource, program, binding.CreateSettings), []);
            default:
                throw new InvalidOperationException("unknown compilation result");
        }
    }

    /// <summary>Compiles the policy here, and loads and binds it in its worker process: the server never runs its code.</summary>
    private (CompiledPolicy? Policy, IReadOnlyList<PolicyLoadError> Errors) LoadIsolated(PolicyResource resource, ScriptSource script)
    {
        var name = resource.DisplayName;
        if (isolation is null)
        {
            return (null, [new PolicyLoadError(resource.Source, name, "spec.isolation: this policy runs in a worker process, which cannot be started here")]);
        }

        if (compiler.CompileImage(script, out var diagnostics) is not { } image)
        {
            return (null, diagnostics.Select(d => new PolicyLoadError(resource.Source, name, $"compile error: {d}")).ToArray());
        }

        var (program, errors) = isolation.Load(resource, image);
        return program is null
            ? (null, errors.Select(e => new PolicyLoadError(resource.Source, name, e)).ToArray())
            : (new CompiledPolicy(resource, program, null), []);
    }

    private ScriptSource? ResolveScript(PolicyResource resource, out string? error)
    {
        error = null;
        var spec = resource.Spec;
        if (spec.Script is not null)
        {
            return new ScriptSource(spec.Script, $"{resource.Source} (inline script of {resource.DisplayName})");
        }

        var module = spec.Module!;
        if (module.StartsWith(BuiltinModules.Scheme, StringComparison.Ordinal))
        {
            var name = module[BuiltinModules.Scheme.Length..];
            var code = BuiltinModules.TryGetSource(name);
            if (code is null)
            {
                error = $"spec.module: unknown built-in module \"{name}\" (built-ins: {string.Join(", ", BuiltinModules.Names)})";
                return null;
            }

            return new ScriptSource(code, module);
        }

        if (module.StartsWith(ConfigMapModule.Scheme, StringComparison.Ordinal))
        {
            if (!ConfigMapModule.TryParse(module, out var reference, out error))
            {
                error = $"spec.module: {error}";
                return null;
            }

            if (configMaps is null)
            {
                error = $"spec.module: {module}: a ConfigMap module is read from the cluster by policygate serve; here there is no cluster to read it from";
                return null;
            }

            var text = configMaps.Read(reference, out var configMapError);
            if (text is null)
            {
                error = $"spec.module: {module}: {configMapError}";
                return null;
            }

            return new ScriptSource(text, module);
        }

        var relative = module[FileScheme.Length..];
        var baseDirectory = resource.SourceFile is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(resource.SourceFile))!;
        var path = Path.GetFullPath(Path.Combine(baseDirectory, relative));
        if (!InputFile.TryReadText(path, out var fileCode, out var readError))
        {
            error = $"spec.module: cannot read {module} (resolved to {path}): {readError}";
            return null;
        }

        return new ScriptSource(fileCode, path);
    }

    private static void RejectDuplicates(List<CompiledPolicy> policies, List<PolicyLoadError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < policies.Count; i++)
        {
            var key = policies[i].Resource.Kind + "/" + policies[i].Name;
            if (!seen.Add(key))
            {
                errors.Add(new PolicyLoadError(policies[i].Resource.Source, policies[i].Name, "a policy of this kind and name is already defined; names must be unique"));
                policies.RemoveAt(i);
                i--;
            }
        }
    }
}
