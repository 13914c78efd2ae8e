using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Api.V1;

/// <summary>
/// Reads a <c>ClusterAdmissionPolicy</c> or <c>AdmissionPolicy</c> from its JSON form, reporting every problem with
/// the path of the field (<c>spec.rules[0].operations[1]</c>) rather than stopping at the first.
/// </summary>
public static class PolicyResourceParser
{
    public const string DefaultNamespace = "default";

    private static readonly HashSet<string> SpecFields =
    [
        "module", "script", "rules", "mutating", "mode", "settings", "namespaceSelector", "objectSelector",
        "failurePolicy", "timeoutSeconds", "message", "isolation",
    ];

    private static readonly HashSet<string> RuleFields = ["apiGroups", "apiVersions", "resources", "operations", "scope"];

    private static readonly HashSet<string> SelectorFields = ["matchLabels", "matchExpressions"];

    private static readonly HashSet<string> ExpressionFields = ["key", "operator", "values"];

    private static readonly HashSet<string> Operations = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];

    /// <summary>True when the object looks like one of our policy kinds (any apiVersion), so callers can tell a
    /// policy with a wrong apiVersion from an unrelated object.</summary>
    public static bool IsPolicyKind(JsonObject obj) =>
        obj["kind"] is JsonValue kind && kind.TryGetValue<string>(out var k) &&
        (k == nameof(PolicyKind.ClusterAdmissionPolicy) || k == nameof(PolicyKind.AdmissionPolicy));

    public static PolicyParseResult Parse(JsonObject obj, string source, string? sourceFile = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var errors = new List<string>();

        var apiVersion = String(obj, "apiVersion", "apiVersion", errors);
        var kindText = String(obj, "kind", "kind", errors);
        PolicyKind kind = default;
        if (kindText is not null && !Enum.TryParse(kindText, ignoreCase: false, out kind))
        {
            errors.Add($"kind: must be ClusterAdmissionPolicy or AdmissionPolicy, got \"{kindText}\"");
        }

        if (apiVersion is not null && apiVersion != PolicyResource.ApiVersionV1)
        {
            errors.Add(apiVersion.StartsWith("policies.kubewarden.io", StringComparison.Ordinal)
                ? $"apiVersion: \"{apiVersion}\" is Kubewarden's; PolicyGate policies use \"{PolicyResource.ApiVersionV1}\""
                : $"apiVersion: must be \"{PolicyResource.ApiVersionV1}\", got \"{apiVersion}\"");
        }

        var metadata = obj["metadata"] as JsonObject;
        string? name = null;
        string? ns = null;
        if (metadata is null)
        {
            errors.Add("metadata.name: required");
        }
        else
        {
            name = String(metadata, "name", "metadata.name", errors);
            ns = OptionalString(metadata, "namespace", "metadata.namespace", errors);
            if (name is not null && !IsDnsSubdomain(name))
            {
                errors.Add($"metadata.name: \"{name}\" is not a valid name (lower-case letters, digits, '-' and '.', at most 253 characters)");
            }
        }

        if (kind == PolicyKind.AdmissionPolicy)
        {
            ns ??= DefaultNamespace;
        }
        else if (ns is not null && kindText is not null)
        {
            errors.Add("metadata.namespace: a ClusterAdmissionPolicy is cluster-scoped and takes no namespace (use an AdmissionPolicy)");
        }

        var spec = obj["spec"] as JsonObject;
        PolicySpec? parsedSpec = null;
        if (spec is null)
        {
            errors.Add("spec: required");
        }
        else
        {
            parsedSpec = ParseSpec(spec, errors);
        }

        if (kind == PolicyKind.AdmissionPolicy && parsedSpec is { Isolation: PolicyIsolation.InProcess } &&
            parsedSpec.Module?.StartsWith(PolicyResource.BuiltinScheme, StringComparison.Ordinal) != true)
        {
            errors.Add("spec.isolation: an AdmissionPolicy's own script runs in a worker process (its namespace's owners wrote it); " +
                "inProcess is for ClusterAdmissionPolicies and the built-in modules");
        }

        // A tenant's policy reads its script from its own namespace only: a ConfigMap elsewhere is not its to read.
        if (kind == PolicyKind.AdmissionPolicy && ns is not null && parsedSpec?.Module is { } tenantModule &&
            ConfigMapModule.TryParse(tenantModule, out var configMap, out _) && configMap.Namespace != ns)
        {
            errors.Add($"spec.module: \"{tenantModule}\": an AdmissionPolicy reads ConfigMaps of its own namespace ({ns}) only");
        }

        if (errors.Count > 0 || name is null || parsedSpec is null)
        {
            return new PolicyParseResult(null, errors);
        }

        return new PolicyParseResult(new PolicyResource(kind, name, ns, parsedSpec, source, sourceFile), errors);
    }

    private static PolicySpec ParseSpec(JsonObject spec, List<string> errors)
    {
        UnknownFields(spec, SpecFields, "spec", errors);

        var module = OptionalString(spec, "module", "spec.module", errors);
        var script = OptionalString(spec, "script", "spec.script", errors);
        if (module is null && script is null)
        {
            errors.Add("spec: one of spec.module (builtin://NAME, file://PATH or configmap://NAMESPACE/NAME/KEY) or spec.script (inline C#) is required");
        }
        else if (module is not null && script is not null)
        {
            errors.Add("spec: spec.module and spec.script are exclusive; set only one");
        }
        else if (module is not null && module.StartsWith(ConfigMapModule.Scheme, StringComparison.Ordinal))
        {
            if (!ConfigMapModule.TryParse(module, out _, out var error))
            {
                errors.Add($"spec.module: {error}");
            }
        }
        else if (module is not null &&
            !module.StartsWith(PolicyResource.BuiltinScheme, StringComparison.Ordinal) && !module.StartsWith("file://", StringComparison.Ordinal))
        {
            errors.Add(module.StartsWith("registry://", StringComparison.Ordinal)
                ? $"spec.module: \"{module}\" is a Kubewarden registry module; PolicyGate runs C# scripts: use builtin://NAME, file://PATH, configmap://NAMESPACE/NAME/KEY or spec.script"
                : $"spec.module: \"{module}\" must start with builtin://, file:// or configmap://");
        }

        var rules = new List<RuleWithOperations>();
        if (spec["rules"] is not JsonArray ruleArray || ruleArray.Count == 0)
        {
            errors.Add("spec.rules: at least one rule is required");
        }
        else
        {
            for (var i = 0; i < ruleArray.Count; i++)
            {
                var rule = ParseRule(ruleArray[i], $"spec.rules[{i}]", errors);
                if (rule is not null)
                {
                    rules.Add(rule);
                }
            }
        }

        var mode = PolicyMode.Protect;
        var modeText = OptionalString(spec, "mode", "spec.mode", errors);
        if (modeText is not null && !Enum.TryParse(modeText, ignoreCase: true, out mode))
        {
            errors.Add($"spec.mode: must be \"protect\" or \"monitor\", got \"{modeText}\"");
        }

        var failurePolicy = FailurePolicy.Fail;
        var failureText = OptionalString(spec, "failurePolicy", "spec.failurePolicy", errors);
        if (failureText is not null && failureText is not (nameof(FailurePolicy.Fail) or nameof(FailurePolicy.Ignore)))
        {
            errors.Add($"spec.failurePolicy: must be \"Fail\" or \"Ignore\", got \"{failureText}\"");
        }
        else if (failureText is not null)
        {
            failurePolicy = Enum.Parse<FailurePolicy>(failureText);
        }

        var timeout = PolicySpec.DefaultTimeoutSeconds;
        if (spec["timeoutSeconds"] is { } timeoutNode)
        {
            // A YAML number arrives as a long, a JSON one as a JsonElement: read the number's text, not a CLR type.
            if (timeoutNode is JsonValue tv && tv.GetValueKind() == JsonValueKind.Number &&
                int.TryParse(tv.ToJsonString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t) &&
                t is >= 1 and <= 30)
            {
                timeout = (int)t;
            }
            else
            {
                errors.Add($"spec.timeoutSeconds: must be a whole number of seconds from 1 to 30 (the API server's limit), got {timeoutNode.ToJsonString()}");
            }
        }

        var mutating = false;
        if (spec["mutating"] is { } mutatingNode)
        {
            if (mutatingNode is JsonValue mv && mv.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                mutating = mv.GetValue<bool>();
            }
            else
            {
                errors.Add($"spec.mutating: must be true or false, got {mutatingNode.ToJsonString()}");
            }
        }

        JsonObject? settings = null;
        if (spec["settings"] is { } settingsNode)
        {
            if (settingsNode is JsonObject so)
            {
                settings = so;
            }
            else
            {
                errors.Add($"spec.settings: must be an object, got {settingsNode.ToJsonString()}");
            }
        }

        PolicyIsolation? isolation = null;
        var isolationText = OptionalString(spec, "isolation", "spec.isolation", errors);
        if (isolationText is not null)
        {
            isolation = isolationText switch
            {
                "process" => PolicyIsolation.Process,
                "inProcess" => PolicyIsolation.InProcess,
                _ => null,
            };
            if (isolation is null)
            {
                errors.Add($"spec.isolation: must be \"process\" or \"inProcess\", got \"{isolationText}\"");
            }
        }

        return new PolicySpec
        {
            Isolation = isolation,
            Module = module,
            Script = script,
            Rules = rules,
            Mutating = mutating,
            Mode = mode,
            Settings = settings,
            NamespaceSelector = ParseSelector(spec["namespaceSelector"], "spec.namespaceSelector", errors),
            ObjectSelector = ParseSelector(spec["objectSelector"], "spec.objectSelector", errors),
            FailurePolicy = failurePolicy,
            TimeoutSeconds = timeout,
            Message = OptionalString(spec, "message", "spec.message", errors),
        };
    }

    private static RuleWithOperations? ParseRule(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject rule)
        {
            errors.Add($"{path}: must be an object with apiGroups, apiVersions, resources and operations");
            return null;
        }

        UnknownFields(rule, RuleFields, path, errors);

        var before = errors.Count;
        var apiGroups = StringList(rule, "apiGroups", path, errors, required: true);
        var apiVersions = StringList(rule, "apiVersions", path, errors, required: true);
        var resources = StringList(rule, "resources", path, errors, required: true);
        var operations = StringList(rule, "operations", path, errors, required: true);
        for (var i = 0; i < operations.Count; i++)
        {
            if (!Operations.Contains(operations[i]))
            {
                errors.Add($"{path}.operations[{i}]: must be CREATE, UPDATE, DELETE, CONNECT or *, got \"{operations[i]}\"");
            }
        }

        for (var i = 0; i < resources.Count; i++)
        {
            var parts = resources[i].Split('/');
            if (parts.Length > 2 || parts.Any(p => p.Length == 0))
            {
                errors.Add($"{path}.resources[{i}]: \"{resources[i]}\" must be RESOURCE or RESOURCE/SUBRESOURCE (either may be *)");
            }
        }

        var scope = OptionalString(rule, "scope", path + ".scope", errors) ?? RuleWithOperations.AnyScope;
        if (scope is not (RuleWithOperations.AnyScope or RuleWithOperations.ClusterScope or RuleWithOperations.NamespacedScope))
        {
            errors.Add($"{path}.scope: must be Cluster, Namespaced or *, got \"{scope}\"");
        }

        return errors.Count > before ? null : new RuleWithOperations(operations, apiGroups, apiVersions, resources, scope);
    }

    /// <summary>Every field of <paramref name="obj"/> that is not in <paramref name="known"/> is an error, with the known ones named.</summary>
    private static void UnknownFields(JsonObject obj, HashSet<string> known, string path, List<string> errors)
    {
        foreach (var (key, _) in obj)
        {
            if (!known.Contains(key))
            {
                errors.Add($"{path}.{key}: unknown field (known: {string.Join(", ", known)})");
            }
        }
    }

    private static LabelSelector ParseSelector(JsonNode? node, string path, List<string> errors)
    {
        if (node is null)
        {
            return LabelSelector.Everything;
        }

        if (node is not JsonObject selector)
        {
            errors.Add($"{path}: must be an object with matchLabels and/or matchExpressions");
            return LabelSelector.Everything;
        }

        // A misspelt field (matchLabel) would otherwise leave a selector that matches everything.
        UnknownFields(selector, SelectorFields, path, errors);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (selector["matchLabels"] is { } ml)
        {
            if (ml is JsonObject mlo)
            {
                foreach (var (key, value) in mlo)
                {
                    if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                    {
                        labels[key] = v.GetValue<string>();
                    }
                    else
                    {
                        errors.Add($"{path}.matchLabels.{key}: must be a string (quote numbers and booleans), got {value?.ToJsonString() ?? "null"}");
                    }
                }
            }
            else
            {
                errors.Add($"{path}.matchLabels: must be a map of label to value");
            }
        }

        var expressions = new List<LabelSelectorRequirement>();
        if (selector["matchExpressions"] is { } me)
        {
            if (me is not JsonArray mea)
            {
                errors.Add($"{path}.matchExpressions: must be a list");
            }
            else
            {
                for (var i = 0; i < mea.Count; i++)
                {
                    var itemPath = $"{path}.matchExpressions[{i}]";
                    if (mea[i] is not JsonObject expr)
                    {
                        errors.Add($"{itemPath}: must be an object with key, operator and values");
                        continue;
                    }

                    UnknownFields(expr, ExpressionFields, itemPath, errors);
                    var key = String(expr, "key", itemPath + ".key", errors);
                    var op = String(expr, "operator", itemPath + ".operator", errors);
                    var values = StringList(expr, "values", itemPath, errors, required: false);
                    if (op is LabelSelectorRequirement.In or LabelSelectorRequirement.NotIn && values.Count == 0)
                    {
                        errors.Add($"{itemPath}.values: operator {op} needs at least one value");
                    }
                    else if (op is LabelSelectorRequirement.Exists or LabelSelectorRequirement.DoesNotExist && values.Count > 0)
                    {
                        errors.Add($"{itemPath}.values: operator {op} takes no values");
                    }
                    else if (op is not null and not (LabelSelectorRequirement.In or LabelSelectorRequirement.NotIn or LabelSelectorRequirement.Exists or LabelSelectorRequirement.DoesNotExist))
                    {
                        errors.Add($"{itemPath}.operator: must be In, NotIn, Exists or DoesNotExist, got \"{op}\"");
                    }
                    else if (key is not null && op is not null)
                    {
                        expressions.Add(new LabelSelectorRequirement(key, op, values));
                    }
                }
            }
        }

        return new LabelSelector(labels, expressions);
    }

    private static string? String(JsonObject obj, string field, string path, List<string> errors)
    {
        var value = OptionalString(obj, field, path, errors);
        if (value is null && obj[field] is null)
        {
            errors.Add($"{path}: required");
        }

        return value;
    }

    private static string? OptionalString(JsonObject obj, string field, string path, List<string> errors)
    {
        var node = obj[field];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            return v.GetValue<string>();
        }

        errors.Add($"{path}: must be a string, got {node.ToJsonString()}");
        return null;
    }

    private static List<string> StringList(JsonObject obj, string field, string parentPath, List<string> errors, bool required)
    {
        var path = $"{parentPath}.{field}";
        var before = errors.Count;
        var result = new List<string>();
        var node = obj[field];
        if (node is null)
        {
            if (required)
            {
                errors.Add($"{path}: required (use [\"*\"] for any)");
            }

            return result;
        }

        if (node is not JsonArray array)
        {
            errors.Add($"{path}: must be a list of strings, got {node.ToJsonString()}");
            return result;
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                result.Add(v.GetValue<string>());
            }
            else
            {
                errors.Add($"{path}[{i}]: must be a string, got {array[i]?.ToJsonString() ?? "null"}");
            }
        }

        if (required && result.Count == 0 && errors.Count == before)
        {
            errors.Add($"{path}: must not be empty (use [\"*\"] for any)");
        }

        return result;
    }

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253 &&
        name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.') &&
        char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
