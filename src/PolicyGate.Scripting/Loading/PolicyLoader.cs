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
public sealed class PolicyLoader(PolicyCompiler compiler, IsolationSupervisor? isolation = null, bool forceIsolation = false)
{
    public const string FileScheme = "file://";

    private static readonly string[] FileExtensions = [".yaml", ".yml", ".json"];

    /// <summary>Whether a file in a policy folder is read as policies (YAML or JSON), for the CLI and the server alike.</summary>
    public static bool IsPolicyFile(string path) =>
        FileExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    public PolicyLoadResult LoadFiles(IEnumerable<string> paths)
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

            var result = LoadText(text, path, path);
            policies.AddRange(result.Policies);
            errors.AddRange(result.Errors);
        }

        RejectDuplicates(policies, errors);
        return new PolicyLoadResult(policies, errors);
    }

    /// <param name="sourceName">Names the text in messages (usually its path).</param>
    /// <param name="filePath">The file the text came from, for <c>file://</c> modules; null for text with no file.</param>
    public PolicyLoadResult LoadText(string text, string sourceName, string? filePath)
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

            try
            {
                LoadDocument(obj, source, filePath, policies, errors);
            }
            catch (Exception ex)
            {
                // Last line of defence: a bug or an unforeseen input in parsing, compiling or binding costs this one
                // policy, reported with its source, never the other policies or the caller.
                errors.Add(new PolicyLoadError(source, NameOf(obj), $"cannot load this policy: {ExceptionText.Describe(ex)}"));
            }
        }

        RejectDuplicates(policies, errors);
        return new PolicyLoadResult(policies, errors);
    }

    private void LoadDocument(JsonObject obj, string source, string? filePath, List<CompiledPolicy> policies, List<PolicyLoadError> errors)
    {
        var parsed = PolicyResourceParser.Parse(obj, source, filePath);
        if (!parsed.Succeeded)
        {
            var name = NameOf(obj);
            errors.AddRange(parsed.Errors.Select(e => new PolicyLoadError(source, name, e)));
            return;
        }

        var loaded = Load(parsed.Policy!);
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

    private static ScriptSource? ResolveScript(PolicyResource resource, out string? error)
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
