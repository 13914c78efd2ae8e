using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PolicyGate.Core.Tests.Api;

/// <summary>
/// What the API server checks of a custom resource against its CRD's OpenAPI schema, for the keywords our CRDs use:
/// type, properties, required, items, minItems, minLength, enum, minimum, maximum, pattern, additionalProperties,
/// x-kubernetes-preserve-unknown-fields, unknown fields refused (kubectl's default strict field validation), and the
/// CEL rules of x-kubernetes-validations, each of which must have its C# reading in <see cref="Rules"/> (a rule added
/// to a CRD without one fails the test that meets it, rather than passing unchecked).
/// </summary>
internal static class StructuralSchema
{
    private static readonly Dictionary<string, Func<JsonObject, bool>> Rules = new(StringComparer.Ordinal)
    {
        ["has(self.module) != has(self.script)"] = self => self.ContainsKey("module") != self.ContainsKey("script"),
        ["self.operator in ['In', 'NotIn'] ? has(self.values) && size(self.values) > 0 : !has(self.values) || size(self.values) == 0"] = self =>
            (string?)self["operator"] is "In" or "NotIn"
                ? self["values"] is JsonArray { Count: > 0 }
                : self["values"] is null || self["values"] is JsonArray { Count: 0 },
        ["!(has(self.isolation) && self.isolation == 'inProcess' && !(has(self.module) && self.module.startsWith('builtin://')))"] = self =>
            !((string?)self["isolation"] == "inProcess" && ((string?)self["module"])?.StartsWith("builtin://", StringComparison.Ordinal) != true),
    };

    /// <summary>Every way <paramref name="value"/> breaks <paramref name="schema"/>, as "path: what".</summary>
    public static List<string> Validate(JsonObject schema, JsonNode? value, string path = "")
    {
        var errors = new List<string>();
        Check(schema, value, path, errors);
        return errors;
    }

    private static void Check(JsonObject schema, JsonNode? value, string path, List<string> errors)
    {
        if (value is null)
        {
            errors.Add($"{path}: null");
            return;
        }

        var type = (string?)schema["type"];
        var ok = type switch
        {
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => value is JsonValue s && s.GetValueKind() == JsonValueKind.String,
            "boolean" => value is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "integer" => value is JsonValue i && i.GetValueKind() == JsonValueKind.Number && long.TryParse(i.ToJsonString(), out _),
            null => true,
            _ => throw new InvalidOperationException($"{path}: the schema uses type {type}, which this checker does not know"),
        };
        if (!ok)
        {
            errors.Add($"{path}: expected {type}, got {value.ToJsonString()}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: {value.ToJsonString()} is not one of {allowed.ToJsonString()}");
        }

        if (value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.String)
        {
            var text = scalar.GetValue<string>();
            if (schema["minLength"] is { } minLength && text.Length < (long)minLength)
            {
                errors.Add($"{path}: shorter than {minLength}");
            }

            if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, (string)pattern!, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add($"{path}: \"{text}\" does not match {pattern}");
            }
        }

        if (type == "integer")
        {
            var number = long.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
            if (schema["minimum"] is { } min && number < (long)min)
            {
                errors.Add($"{path}: below {min}");
            }

            if (schema["maximum"] is { } max && number > (long)max)
            {
                errors.Add($"{path}: above {max}");
            }
        }

        if (value is JsonArray array)
        {
            if (schema["minItems"] is { } minItems && array.Count < (long)minItems)
            {
                errors.Add($"{path}: fewer than {minItems} items");
            }

            for (var i = 0; i < array.Count; i++)
            {
                Check(schema["items"]!.AsObject(), array[i], $"{path}[{i}]", errors);
            }
        }

        if (value is JsonObject obj && path != ".metadata") // the API server checks metadata itself, whatever the CRD says
        {
            CheckObject(schema, obj, path, errors);
        }
    }

    private static void CheckObject(JsonObject schema, JsonObject obj, string path, List<string> errors)
    {
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            if (!obj.ContainsKey((string)required!))
            {
                errors.Add($"{path}.{required}: required");
            }
        }

        var properties = schema["properties"]?.AsObject();
        var preserve = (bool?)schema["x-kubernetes-preserve-unknown-fields"] == true;
        foreach (var (key, child) in obj)
        {
            if (properties?[key] is JsonObject property)
            {
                Check(property, child, $"{path}.{key}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject values)
            {
                Check(values, child, $"{path}.{key}", errors);
            }
            else if (!preserve)
            {
                errors.Add($"{path}.{key}: unknown field");
            }
        }

        foreach (var rule in schema["x-kubernetes-validations"]?.AsArray() ?? [])
        {
            var text = (string)rule!["rule"]!;
            if (!Rules.TryGetValue(text, out var holds))
            {
                throw new InvalidOperationException($"{path}: the CEL rule \"{text}\" has no C# reading in StructuralSchema.Rules");
            }

            if (!holds(obj))
            {
                errors.Add($"{path}: {rule["message"]}");
            }
        }
    }
}
