using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Cli.WebhookConfig;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// Mutators that parse the input into its documents, change the tree (a field of the wrong type, a huge value, deep
/// nesting, a <c>kind: List</c> with broken items) and write it back: YAML as block YAML, JSON as JSON. Values that
/// no tree can hold (<c>1e400</c>, 100,000 levels of brackets) go in as placeholders replaced in the written text.
/// </summary>
internal static class TreeMutators
{
    /// <summary>Field names worth giving the wrong type: the ones PolicyGate and the built-in policies read.</summary>
    private static readonly HashSet<string> KnownFields = new(StringComparer.Ordinal)
    {
        "apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec", "template", "items",
        "containers", "initContainers", "ephemeralContainers", "image", "securityContext", "capabilities", "add", "drop",
        "runAsNonRoot", "runAsUser", "privileged", "resources", "limits", "requests", "cpu", "memory", "volumes",
        "volumeClaimTemplates", "storage", "size", "jobTemplate", "selector", "matchLabels", "matchExpressions",
        "module", "script", "rules", "operations", "apiGroups", "apiVersions", "mutating", "mode", "settings",
        "namespaceSelector", "objectSelector", "failurePolicy", "timeoutSeconds", "message",
        "requiredLabels", "requiredAnnotations", "enforceRunAsNonRoot", "allowedCapabilities", "allowedSizes",
        "requiredDropCapabilities", "maxLimits", "maxRequests", "defaultLimits", "maxStorage", "labelPatterns",
        "request", "uid", "object", "oldObject", "userInfo", "groups", "extra", "username", "operation", "dryRun",
        "options", "resource", "requestKind", "subResource", "group", "version",
    };

    public static IReadOnlyList<Mutator> All { get; } =
    [
        new("wrong-type", MutationStage.Tree, WrongType),
        new("huge-scalar", MutationStage.Tree, HugeScalar, Heavy: true),
        new("huge-key", MutationStage.Tree, HugeKey, Heavy: true),
        new("deep-flow", MutationStage.Tree, DeepFlow, Heavy: true),
        new("kind-list", MutationStage.Tree, KindList),
        new("repeat-document", MutationStage.Tree, RepeatDocument),
    ];

    private static Mutated? WrongType(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, placeholders) =>
    {
        var all = tree.Nodes().ToList();
        var known = all.Where(n => n.Key is { } key && (KnownFields.Contains(key) || n.ParentKey is "labels" or "annotations" or "settings")).ToList();
        var target = known.Count > 0 && random.Next(10) < 8 ? known[random.Next(known.Count)] : all[random.Next(all.Count)];
        var (value, description) = OtherKind(random, target.Node, format, placeholders);
        tree.Replace(target, value);
        return $"{target.Path} -> {description}";
    });

    private static Mutated? HugeScalar(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, _) =>
    {
        var size = HugeSize(random);
        var strings = tree.Nodes().Where(n => n.Node is JsonValue v && v.GetValueKind() == JsonValueKind.String).ToList();
        var text = Filler(random, size);
        if (strings.Count > 0 && random.Next(2) == 0)
        {
            var target = strings[random.Next(strings.Count)];
            tree.Replace(target, JsonValue.Create(text));
            return $"{target.Path} -> a string of {size:N0} characters";
        }

        var obj = RandomObject(random, tree);
        if (obj is null)
        {
            return null;
        }

        obj.Value.Object["fuzz-huge"] = text;
        return $"{obj.Value.Path}.fuzz-huge = a string of {size:N0} characters";
    });

    private static Mutated? HugeKey(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, _) =>
    {
        var obj = RandomObject(random, tree);
        if (obj is null)
        {
            return null;
        }

        var size = HugeSize(random);
        obj.Value.Object[Filler(random, size)] = "v";
        return $"{obj.Value.Path} gets a key of {size:N0} characters";
    });

    private static Mutated? DeepFlow(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, placeholders) =>
    {
        int[] depths = [100, 257, 1_000, 10_000, 100_000];
        var depth = depths[random.Next(depths.Length)];
        var shape = random.Next(4);
        var open = shape switch
        {
            0 => "[",
            1 => format == InputFormat.Json ? "{\"a\":" : "{a: ",
            2 => format == InputFormat.Json ? "[{\"a\":" : "[{a: ",
            _ => "[",
        };
        var close = shape switch
        {
            0 => "]",
            1 => "}",
            2 => "}]",
            _ => "", // unbalanced: never closed
        };
        var raw = new StringBuilder(depth * (open.Length + close.Length) + 1);
        raw.Insert(0, open, depth).Append('1');
        raw.Insert(raw.Length, close, close.Length == 0 ? 0 : depth);
        var all = tree.Nodes().ToList();
        var target = all[random.Next(all.Count)];
        tree.Replace(target, placeholders.Add(raw.ToString(), format));
        return $"{target.Path} -> {depth:N0} levels of {open}{(close.Length == 0 ? " (never closed)" : "")}";
    });

    private static Mutated? KindList(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, _) =>
    {
        string[] broken =
        [
            "42", "\"not an object\"", "null", "[]", "{}", "{\"kind\":\"Pod\"}", "{\"apiVersion\":\"v1\"}",
            "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":\"nope\"}", "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[1,{\"kind\":\"x\"},[]]}",
            "{\"apiVersion\":\"v1\",\"kind\":\"PodList\"}", "{\"apiVersion\":1,\"kind\":[\"List\"]}", "{\"apiVersion\":\"v1\",\"kind\":\"\"}",
            "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[null]}]}",
        ];
        var items = new JsonArray();
        foreach (var document in tree.Documents)
        {
            items.Add(document?.DeepClone());
        }

        var added = random.Next(1, 4);
        for (var i = 0; i < added; i++)
        {
            items.Insert(random.Next(items.Count + 1), JsonNode.Parse(broken[random.Next(broken.Length)]));
        }

        string[] kinds = ["List", "List", "PodList", "ConfigMapList", "SecretList"];
        var kind = kinds[random.Next(kinds.Length)];
        JsonNode? itemsNode = random.Next(5) switch
        {
            0 => JsonValue.Create("items"),
            1 => new JsonObject { ["a"] = items },
            _ => items,
        };
        tree.Documents.Clear();
        tree.Documents.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = kind, ["items"] = itemsNode });
        return $"kind: {kind} around the documents, {added} broken item(s){(itemsNode is JsonArray ? "" : ", items not a list")}";
    });

    /// <summary>A document (or an item of a top-level JSON array) once more: the same object or policy twice.</summary>
    private static Mutated? RepeatDocument(Random random, byte[] bytes, InputFormat format) => Edit(bytes, format, (tree, _) =>
    {
        if (format == InputFormat.Json)
        {
            if (tree.Documents is not [JsonArray { Count: > 0 } array])
            {
                return null;
            }

            var item = random.Next(array.Count);
            array.Insert(random.Next(array.Count + 1), array[item]?.DeepClone());
            return $"item {item} repeated";
        }

        var document = random.Next(tree.Documents.Count);
        tree.Documents.Insert(random.Next(tree.Documents.Count + 1), tree.Documents[document]?.DeepClone());
        return $"document {document + 1} repeated";
    });

    /// <summary>A value of another JSON kind than <paramref name="current"/>.</summary>
    private static (JsonNode? Value, string Description) OtherKind(Random random, JsonNode? current, InputFormat format, Placeholders placeholders)
    {
        var kind = current?.GetValueKind() ?? JsonValueKind.Null;
        while (true)
        {
            switch (random.Next(8))
            {
                case 0 when kind != JsonValueKind.Number:
                    long[] numbers = [42, -1, 0, long.MaxValue];
                    var n = numbers[random.Next(numbers.Length)];
                    return (JsonValue.Create(n), $"number {n}");
                case 1 when kind != JsonValueKind.Number:
                    string[] rawNumbers = format == InputFormat.Json
                        ? ["1e400", "-0", "123456789012345678901234567890", "3.14159", "-1e-400"]
                        : ["1e400", "-0", "123456789012345678901234567890", "0x1F", ".inf", "-.inf", ".nan", "0o17", "3.14159"];
                    var raw = rawNumbers[random.Next(rawNumbers.Length)];
                    return (placeholders.Add(raw, format), $"number {raw}");
                case 2 when kind is not (JsonValueKind.True or JsonValueKind.False):
                    return (JsonValue.Create(true), "true");
                case 3 when kind != JsonValueKind.Null:
                    return (null, "null");
                case 4 when kind != JsonValueKind.String:
                    string[] strings = ["", "x", "true", "42", "\u0000", "ünïcødé ✓", "a b: c", "- item", "{not: json}"];
                    var s = strings[random.Next(strings.Length)];
                    return (JsonValue.Create(s), $"string {JsonSerializer.Serialize(s)}");
                case 5 when kind != JsonValueKind.Array:
                    string[] lists = ["[]", "[1,\"a\",null]", "[[]]", "[{}]", "[{\"name\":\"x\"}]"];
                    var l = lists[random.Next(lists.Length)];
                    return (JsonNode.Parse(l), $"list {l}");
                case 6 when kind != JsonValueKind.Object:
                    string[] maps = ["{}", "{\"a\":1}", "{\"a\":{\"b\":[1]}}", "{\"name\":{\"name\":\"x\"}}"];
                    var m = maps[random.Next(maps.Length)];
                    return (JsonNode.Parse(m), $"map {m}");
                case 7 when format == InputFormat.Yaml:
                    string[] yaml = ["*undefined", "!!binary AAAA", "!!int x", "!custom x", "&a x", "? x", "'unterminated", "\"\\ud800\"", "@x", "`x"];
                    var y = yaml[random.Next(yaml.Length)];
                    return (placeholders.Add(y, format), $"raw YAML {y}");
                default:
                    continue;
            }
        }
    }

    private static int HugeSize(Random random) => random.Next(3) switch
    {
        0 => 100 * 1024,
        _ => random.Next(1024 * 1024, (5 * 1024 * 1024) + 1),
    };

    private static string Filler(Random random, int size) => random.Next(4) switch
    {
        0 => new string('a', size),
        3 => new string('9', size), // a number, or a quantity, in any field that holds one
        1 => string.Create(size, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + (i % 26));
            }
        }),
        _ => string.Concat(Enumerable.Repeat("ünï ", (size / 4) + 1))[..size],
    };

    private static (JsonObject Object, string Path)? RandomObject(Random random, DocumentTree tree)
    {
        var objects = tree.Nodes().Where(n => n.Node is JsonObject).ToList();
        if (objects.Count == 0)
        {
            return null;
        }

        var pick = objects[random.Next(objects.Count)];
        return ((JsonObject)pick.Node!, pick.Path);
    }

    /// <summary>Parses, edits and writes back; null when the input has no document to edit or the edit does not apply.</summary>
    private static Mutated? Edit(byte[] bytes, InputFormat format, Func<DocumentTree, Placeholders, string?> edit)
    {
        var tree = DocumentTree.Parse(bytes, format);
        if (tree is null)
        {
            return null;
        }

        var placeholders = new Placeholders();
        var detail = edit(tree, placeholders);
        return detail is null ? null : new Mutated(Encoding.UTF8.GetBytes(placeholders.Substitute(tree.Write(format), format)), detail);
    }

    /// <summary>Raw text standing in for a value until the tree is written.</summary>
    private sealed class Placeholders
    {
        private readonly List<(string Token, string Raw)> _items = [];

        public JsonValue Add(string raw, InputFormat format)
        {
            var token = $"fuzzplaceholder{_items.Count}x{format}";
            _items.Add((token, raw));
            return JsonValue.Create(token);
        }

        public string Substitute(string text, InputFormat format)
        {
            foreach (var (token, raw) in _items)
            {
                text = text.Replace(format == InputFormat.Json ? $"\"{token}\"" : token, raw, StringComparison.Ordinal);
            }

            return text;
        }
    }

    /// <summary>The documents of an input, and every node in them with its path.</summary>
    private sealed class DocumentTree(List<JsonNode?> documents)
    {
        /// <summary>Indented, as deep as the input (past 64 levels), and non-ASCII text written as it is: a huge value is as large as it says.</summary>
        private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, MaxDepth = 1_000, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        public List<JsonNode?> Documents { get; } = documents;

        public static DocumentTree? Parse(byte[] bytes, InputFormat format)
        {
            string text;
            try
            {
                text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }

            var documents = YamlJson.ParseDocuments(text).Where(d => !d.IsError).Select(d => d.Node).ToList();
            return documents.Count == 0 ? null : new DocumentTree(documents);
        }

        public IEnumerable<TreeNode> Nodes()
        {
            for (var i = 0; i < Documents.Count; i++)
            {
                foreach (var node in Walk(Documents[i], null, null, null, Documents.Count > 1 ? $"#{i + 1}" : "$", i))
                {
                    yield return node;
                }
            }
        }

        public void Replace(TreeNode target, JsonNode? value)
        {
            switch (target.Parent)
            {
                case JsonObject obj:
                    obj[target.Key!] = value;
                    break;
                case JsonArray array:
                    array[target.Index!.Value] = value;
                    break;
                default:
                    Documents[target.Document] = value;
                    break;
            }
        }

        public string Write(InputFormat format)
        {
            if (format == InputFormat.Json && Documents.Count == 1)
            {
                return Documents[0]?.ToJsonString(Indented) ?? "null";
            }

            // Objects as block YAML (as people write manifests); anything else as flow, which is YAML too.
            var parts = Documents.Select(d => d is JsonObject obj ? YamlWriter.Write([obj]) : (d?.ToJsonString(Indented) ?? "null") + "\n");
            return "---\n" + string.Join("---\n", parts);
        }

        private static IEnumerable<TreeNode> Walk(JsonNode? node, JsonNode? parent, string? key, int? index, string path, int document)
        {
            var parentKey = parent?.Parent is JsonObject ? parent.GetPropertyName() : null;
            yield return new TreeNode(node, parent, key, index, path, document, parentKey);
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (childKey, child) in obj.ToList())
                    {
                        foreach (var n in Walk(child, obj, childKey, null, $"{path}.{childKey}", document))
                        {
                            yield return n;
                        }
                    }

                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++)
                    {
                        foreach (var n in Walk(array[i], array, null, i, $"{path}[{i}]", document))
                        {
                            yield return n;
                        }
                    }

                    break;
            }
        }
    }

    /// <param name="ParentKey">The property name of the parent object (so label values can be told by their map's name).</param>
    private sealed record TreeNode(JsonNode? Node, JsonNode? Parent, string? Key, int? Index, string Path, int Document, string? ParentKey);
}
