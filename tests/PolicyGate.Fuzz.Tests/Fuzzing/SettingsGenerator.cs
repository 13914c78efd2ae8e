using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Cli.WebhookConfig;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// Makes policy files for the built-in modules with odd <c>spec.settings</c>: known setting names with values of any
/// type and shape (quantities, patterns and capability names that do not parse, huge, deep, null), unknown names, and
/// settings that are not a map at all.
/// </summary>
internal static class SettingsGenerator
{
    /// <summary>Each built-in and the settings its <c>Settings</c> type takes (README, "Built-in policies").</summary>
    public static IReadOnlyList<(string Module, string[] Settings)> Builtins { get; } =
    [
        ("allowed-sizes", ["allowedSizes", "sizeField"]),
        ("capabilities", ["allowedCapabilities", "requiredDropCapabilities", "defaultAddCapabilities"]),
        ("pvc-size", ["maxStorage"]),
        ("required-labels", ["requiredLabels", "requiredAnnotations", "labelPatterns", "annotationPatterns"]),
        ("resource-limits", ["requireLimits", "maxLimits", "maxRequests", "defaultLimits"]),
        ("run-as-non-root", ["requireRunAsNonRoot", "denyRunAsUserZero"]),
        ("validate-pod-security-standards", ["requiredLabels", "requiredAnnotations", "enforceRunAsNonRoot", "allowedCapabilities"]),
    ];

    private static readonly string[] Strings =
    [
        "", " ", "x", "ALL", "*", "NET_RAW", "net_raw", "CAP_SYS_ADMIN", "500m", "1Gi", "1G", "0", "-1", "-1Gi", "1e3", "1e400",
        "0.0001m", "9999999999999999999999Ei", "1.5.5", "Gi", "abc", "(", "[a-", "(a+)+$", ".*", "^$", "\\", "spec..size",
        ".", "spec.size", "metadata.name", "spec.size.", "\u0000", "ünï", "cpu", "memory", "gpu", "team", "small",
    ];

    private static readonly string[] MapKeys = ["cpu", "memory", "gpu", "", "team", "app.kubernetes.io/version", "CPU", "x y"];

    /// <summary>The case for <paramref name="seed"/>: built-in <c>seed mod 7</c>, with settings made from the seed.</summary>
    public static FuzzCase Create(string surface, int seed)
    {
        var random = new Random(seed);
        var (module, known) = Builtins[(int)((uint)seed % (uint)Builtins.Count)];
        var template = File.ReadAllText(Inputs.Repo($"policies/{module}.yaml"));
        while (true)
        {
            var policy = (JsonObject)YamlJson.ParseDocuments(template).Single().Node!;
            var raw = new List<string>();
            var description = new StringBuilder();
            policy["spec"]!["settings"] = Settings(random, known, raw, description);
            var yaml = YamlWriter.Write([policy]);
            var described = description.ToString();
            for (var i = 0; i < raw.Count; i++)
            {
                yaml = yaml.Replace(Placeholder(i), raw[i], StringComparison.Ordinal);
                described = described.Replace($"\"{Placeholder(i)}\"", raw[i].Length > 40 ? $"{raw[i][..20]}... ({raw[i].Length:N0} characters)" : raw[i], StringComparison.Ordinal);
            }

            // Settings that make the document itself invalid YAML (too deep, 1e400) are the other surfaces' business:
            // this one is about what the Settings types make of values that parse. The next draw from the same random
            // keeps the case reproducible from its seed.
            if (YamlJson.ParseDocuments(yaml).All(d => !d.IsError))
            {
                return new FuzzCase(surface, seed, $"policies/{module}.yaml", [$"settings({described})"], Encoding.UTF8.GetBytes(yaml), ".yaml");
            }
        }
    }

    private static JsonNode? Settings(Random random, string[] known, List<string> raw, StringBuilder description)
    {
        if (random.Next(8) == 0)
        {
            var value = Value(random, 0, raw);
            description.Append($"not a map: {Describe(value)}");
            return value;
        }

        var settings = new JsonObject();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var name = random.Next(6) switch
            {
                0 => random.Next(3) switch
                {
                    0 => "unknownSetting",
                    1 => char.ToUpperInvariant(known[0][0]) + known[0][1..], // the C# property's own name
                    _ => known[0].ToLowerInvariant() + "_",
                },
                _ => known[random.Next(known.Length)],
            };
            settings[name] = Value(random, 0, raw);
        }

        description.AppendJoin("; ", settings.Select(setting => $"{setting.Key}: {Describe(setting.Value)}"));
        return settings;
    }

    private static JsonNode? Value(Random random, int depth, List<string> raw)
    {
        switch (random.Next(depth > 2 ? 6 : 9))
        {
            case 0:
            case 1:
                return JsonValue.Create(Strings[random.Next(Strings.Length)]);
            case 2:
                double[] numbers = [0, -1, 1, 2147483648, 1e30, 0.5, long.MaxValue];
                return JsonValue.Create(numbers[random.Next(numbers.Length)]);
            case 3:
                return JsonValue.Create(random.Next(2) == 0);
            case 4:
                return null;
            case 5:
                string[] rawValues = ["1e400", "-.inf", ".nan", "0x10", "*undefined", "!!binary AAAA", "123456789012345678901234567890"];
                return Raw(rawValues[random.Next(rawValues.Length)], raw);
            case 6:
                var list = new JsonArray();
                for (var i = random.Next(5); i > 0; i--)
                {
                    list.Add(Value(random, depth + 1, raw));
                }

                return list;
            case 7:
                var map = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                {
                    map[MapKeys[random.Next(MapKeys.Length)]] = Value(random, depth + 1, raw);
                }

                return map;
            default:
                return random.Next(2) == 0
                    ? JsonValue.Create(new string('9', random.Next(1024 * 1024, 2 * 1024 * 1024)))
                    : Raw(string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200)), raw);
        }
    }

    private static JsonValue Raw(string text, List<string> raw)
    {
        raw.Add(text);
        return JsonValue.Create(Placeholder(raw.Count - 1));
    }

    private static string Placeholder(int index) => $"fuzzsettingsplaceholder{index}x";

    private static string Describe(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 80 ? $"{text[..40]}... ({text.Length:N0} characters)" : text;
    }
}
