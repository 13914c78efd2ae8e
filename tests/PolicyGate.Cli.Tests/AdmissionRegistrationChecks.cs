using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Tests;

/// <summary>
/// What the API server checks when a Validating- or MutatingWebhookConfiguration (admissionregistration.k8s.io/v1)
/// is created: the known fields only (strict decoding), and the rules of
/// <c>pkg/apis/admissionregistration/validation/validation.go</c> for the fields PolicyGate writes. No cluster is
/// needed: <c>kubectl create --dry-run=client</c> still asks a server for the API's discovery and schema.
/// </summary>
internal static class AdmissionRegistrationChecks
{
    private static readonly string[] TopFields = ["apiVersion", "kind", "metadata", "webhooks"];
    private static readonly string[] MetadataFields = ["name", "labels", "annotations"];
    private static readonly string[] ValidatingWebhookFields =
        ["name", "clientConfig", "rules", "failurePolicy", "matchPolicy", "namespaceSelector", "objectSelector", "sideEffects", "timeoutSeconds", "admissionReviewVersions", "matchConditions"];
    private static readonly string[] MutatingWebhookFields = [.. ValidatingWebhookFields, "reinvocationPolicy"];
    private static readonly string[] ClientConfigFields = ["url", "service", "caBundle"];
    private static readonly string[] ServiceFields = ["name", "namespace", "path", "port"];
    private static readonly string[] RuleFields = ["operations", "apiGroups", "apiVersions", "resources", "scope"];
    private static readonly string[] SelectorFields = ["matchLabels", "matchExpressions"];
    private static readonly string[] RequirementFields = ["key", "operator", "values"];

    /// <summary>Every problem found in the document; empty when the API server would accept it.</summary>
    public static IReadOnlyList<string> Check(JsonObject configuration)
    {
        var errors = new List<string>();
        Fields(configuration, TopFields, "", errors);
        if (String(configuration, "apiVersion") != "admissionregistration.k8s.io/v1")
        {
            errors.Add("apiVersion: must be admissionregistration.k8s.io/v1");
        }

        var kind = String(configuration, "kind");
        if (kind is not ("ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration"))
        {
            errors.Add($"kind: unexpected {kind}");
        }

        if (configuration["metadata"] is JsonObject metadata)
        {
            Fields(metadata, MetadataFields, "metadata.", errors);
            if (!IsDnsSubdomain(String(metadata, "name")))
            {
                errors.Add("metadata.name: must be a DNS subdomain");
            }

            foreach (var field in new[] { "labels", "annotations" })
            {
                if (metadata[field] is JsonObject map && map.Any(p => !IsQualifiedName(p.Key) || p.Value?.GetValueKind() != JsonValueKind.String))
                {
                    errors.Add($"metadata.{field}: keys must be qualified names and values strings");
                }
            }
        }
        else
        {
            errors.Add("metadata: required");
        }

        if (configuration["webhooks"] is not JsonArray webhooks)
        {
            errors.Add("webhooks: must be a list");
            return errors;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < webhooks.Count; i++)
        {
            var path = $"webhooks[{i}]";
            if (webhooks[i] is not JsonObject webhook)
            {
                errors.Add($"{path}: must be an object");
                continue;
            }

            Webhook(webhook, path, kind == "MutatingWebhookConfiguration" ? MutatingWebhookFields : ValidatingWebhookFields, errors);
            if (String(webhook, "name") is { } name && !names.Add(name))
            {
                errors.Add($"{path}.name: duplicate \"{name}\"");
            }
        }

        return errors;
    }

    private static void Webhook(JsonObject webhook, string path, string[] fields, List<string> errors)
    {
        Fields(webhook, fields, path + ".", errors);
        var name = String(webhook, "name");
        if (!IsDnsSubdomain(name) || name!.Split('.').Length < 3)
        {
            errors.Add($"{path}.name: \"{name}\" must be a DNS subdomain of at least three segments");
        }

        if (String(webhook, "sideEffects") is not ("None" or "NoneOnDryRun"))
        {
            errors.Add($"{path}.sideEffects: must be None or NoneOnDryRun in v1");
        }

        if (webhook["failurePolicy"] is not null && String(webhook, "failurePolicy") is not ("Fail" or "Ignore"))
        {
            errors.Add($"{path}.failurePolicy: must be Fail or Ignore");
        }

        if (webhook["matchPolicy"] is not null && String(webhook, "matchPolicy") is not ("Exact" or "Equivalent"))
        {
            errors.Add($"{path}.matchPolicy: must be Exact or Equivalent");
        }

        if (webhook["timeoutSeconds"] is { } timeout && Integer(timeout) is not (>= 1 and <= 30))
        {
            errors.Add($"{path}.timeoutSeconds: must be an integer from 1 to 30");
        }

        var versions = Strings(webhook, "admissionReviewVersions");
        if (versions is null || versions.Count == 0 || !versions.Contains("v1") || versions.Any(v => v is not ("v1" or "v1beta1")))
        {
            errors.Add($"{path}.admissionReviewVersions: must include v1 and only known versions");
        }

        ClientConfig(webhook["clientConfig"], path + ".clientConfig", errors);

        if (webhook["rules"] is not JsonArray rules)
        {
            errors.Add($"{path}.rules: must be a list");
        }
        else
        {
            for (var i = 0; i < rules.Count; i++)
            {
                Rule(rules[i], $"{path}.rules[{i}]", errors);
            }
        }

        foreach (var selector in new[] { "namespaceSelector", "objectSelector" })
        {
            if (webhook[selector] is { } node)
            {
                Selector(node, $"{path}.{selector}", errors);
            }
        }
    }

    private static void ClientConfig(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject config)
        {
            errors.Add($"{path}: required");
            return;
        }

        Fields(config, ClientConfigFields, path + ".", errors);
        if ((config["url"] is null) == (config["service"] is null))
        {
            errors.Add($"{path}: exactly one of url or service is required");
        }

        if (config["caBundle"] is { } caBundle)
        {
            try
            {
                Convert.FromBase64String(caBundle.GetValue<string>());
            }
            catch (FormatException)
            {
                errors.Add($"{path}.caBundle: must be base64");
            }
        }

        if (config["service"] is JsonObject service)
        {
            Fields(service, ServiceFields, path + ".service.", errors);
            if (!IsDnsLabel(String(service, "name")) || !IsDnsLabel(String(service, "namespace")))
            {
                errors.Add($"{path}.service: name and namespace are required DNS labels");
            }

            if (String(service, "path") is { } servicePath && (!servicePath.StartsWith('/') || servicePath.Split('/').Skip(1).Any(s => s.Length == 0)))
            {
                errors.Add($"{path}.service.path: must start with '/' and have no empty segments");
            }

            if (service["port"] is { } port && Integer(port) is not (>= 1 and <= 65535))
            {
                errors.Add($"{path}.service.port: must be from 1 to 65535");
            }
        }
    }

    private static void Rule(JsonNode? node, string path, List<string> errors)
    {
        if (node is not JsonObject rule)
        {
            errors.Add($"{path}: must be an object");
            return;
        }

        Fields(rule, RuleFields, path + ".", errors);
        var operations = Strings(rule, "operations");
        if (operations is null || operations.Count == 0 || operations.Any(o => o is not ("CREATE" or "UPDATE" or "DELETE" or "CONNECT" or "*")) ||
            (operations.Contains("*") && operations.Count > 1))
        {
            errors.Add($"{path}.operations: must be CREATE, UPDATE, DELETE, CONNECT, or * alone");
        }

        foreach (var field in new[] { "apiGroups", "apiVersions", "resources" })
        {
            var values = Strings(rule, field);
            if (values is null || values.Count == 0 || (values.Contains("*") && values.Count > 1))
            {
                errors.Add($"{path}.{field}: must be a non-empty list, with * alone");
            }
            else if (field != "apiGroups" && values.Any(v => v.Length == 0))
            {
                errors.Add($"{path}.{field}: must not hold empty strings");
            }
        }

        if (rule["scope"] is not null && String(rule, "scope") is not ("Cluster" or "Namespaced" or "*"))
        {
            errors.Add($"{path}.scope: must be Cluster, Namespaced or *");
        }
    }

    private static void Selector(JsonNode node, string path, List<string> errors)
    {
        if (node is not JsonObject selector)
        {
            errors.Add($"{path}: must be an object");
            return;
        }

        Fields(selector, SelectorFields, path + ".", errors);
        if (selector["matchLabels"] is JsonObject labels && labels.Any(p => !IsQualifiedName(p.Key) || p.Value?.GetValueKind() != JsonValueKind.String))
        {
            errors.Add($"{path}.matchLabels: keys must be qualified names and values strings");
        }

        if (selector["matchExpressions"] is JsonArray expressions)
        {
            for (var i = 0; i < expressions.Count; i++)
            {
                var itemPath = $"{path}.matchExpressions[{i}]";
                if (expressions[i] is not JsonObject requirement)
                {
                    errors.Add($"{itemPath}: must be an object");
                    continue;
                }

                Fields(requirement, RequirementFields, itemPath + ".", errors);
                var values = Strings(requirement, "values") ?? [];
                var ok = String(requirement, "operator") switch
                {
                    "In" or "NotIn" => values.Count > 0,
                    "Exists" or "DoesNotExist" => values.Count == 0,
                    _ => false,
                };
                if (!ok || !IsQualifiedName(String(requirement, "key")))
                {
                    errors.Add($"{itemPath}: bad key, operator or values");
                }
            }
        }
    }

    private static void Fields(JsonObject obj, string[] known, string prefix, List<string> errors) =>
        errors.AddRange(obj.Where(p => !known.Contains(p.Key)).Select(p => $"{prefix}{p.Key}: unknown field"));

    /// <summary>The value of an integer node, whether parsed (long) or built in code (int); null for anything else.</summary>
    private static long? Integer(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            ? v.TryGetValue<long>(out var l) ? l : v.TryGetValue<int>(out var i) ? i : null
            : null;

    private static string? String(JsonObject obj, string field) =>
        obj[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static List<string>? Strings(JsonObject obj, string field) =>
        obj[field] is JsonArray array && array.All(i => i?.GetValueKind() == JsonValueKind.String)
            ? array.Select(i => i!.GetValue<string>()).ToList()
            : null;

    private static bool IsDnsLabel(string? s) =>
        s is { Length: > 0 and <= 63 } && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) &&
        s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    private static bool IsDnsSubdomain(string? s) => s is { Length: > 0 and <= 253 } && s.Split('.').All(IsDnsLabelIgnoringLength);

    private static bool IsDnsLabelIgnoringLength(string s) =>
        s.Length > 0 && char.IsAsciiLetterOrDigit(s[0]) && char.IsAsciiLetterOrDigit(s[^1]) &&
        s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters.</summary>
    private static bool IsQualifiedName(string? s)
    {
        if (s is null)
        {
            return false;
        }

        var slash = s.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? s : s[(slash + 1)..];
        return (slash < 0 || IsDnsSubdomain(s[..slash])) &&
            name.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]) &&
            name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }
}
