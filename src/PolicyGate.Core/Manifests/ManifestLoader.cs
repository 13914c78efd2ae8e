using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.IO;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Manifests;

/// <summary>
/// Loads Kubernetes manifests (YAML, multi-document YAML or JSON) from files, folders and standard input.
/// </summary>
/// <remarks>
/// <para>
/// Folders are searched recursively for <c>*.yaml</c>, <c>*.yml</c> and <c>*.json</c> (extension case-insensitive;
/// hidden files and folders skipped), sorted by ordinal path; files named explicitly are read whatever their
/// extension. <c>-</c> is standard input.
/// </para>
/// <para>
/// Every document must be an object with a non-empty string <c>apiVersion</c> and <c>kind</c>. An object whose kind
/// ends in <c>List</c> and that has an <c>items</c> array (or whose kind is exactly <c>List</c>) is replaced by its
/// items, each checked the same way; a JSON file whose top level is an array is treated the same. A broken file or
/// document is reported in <see cref="ManifestLoadResult.Errors"/> and never stops the others.
/// </para>
/// </remarks>
public static class ManifestLoader
{
    /// <summary>The path that means standard input.</summary>
    public const string StdinPath = "-";

    /// <summary>The source name given to standard input.</summary>
    public const string StdinSourceName = "<stdin>";

    private static readonly EnumerationOptions FolderEnumeration = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
    };

    /// <summary>Loads the given files, folders and <c>-</c> (standard input) in order.</summary>
    /// <param name="paths">Files, folders, or <c>-</c>.</param>
    /// <param name="stdin">What <c>-</c> reads; <see cref="Console.In"/> when <c>null</c>.</param>
    public static ManifestLoadResult Load(IEnumerable<string> paths, TextReader? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var inputs = new List<ManifestInput>();
        foreach (var path in paths)
        {
            AddInputs(path, stdin, inputs);
        }

        var partials = new ManifestLoadResult[inputs.Count];
        var fileCount = inputs.Count(i => i.FilePath is not null);
        if (fileCount > 1)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(Environment.ProcessorCount, 1, 4) };
            Parallel.For(0, inputs.Count, options, i => partials[i] = LoadInput(inputs[i]));
        }
        else
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                partials[i] = LoadInput(inputs[i]);
            }
        }

        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        foreach (var partial in partials)
        {
            documents.AddRange(partial.Documents);
            errors.AddRange(partial.Errors);
        }

        return new ManifestLoadResult(documents, errors);
    }

    /// <summary>Loads the documents of one text (YAML or JSON), naming them after <paramref name="sourceName"/>.</summary>
    public static ManifestLoadResult LoadText(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(sourceName);
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        var isJson = YamlJson.LooksLikeJson(text);
        foreach (var result in YamlJson.ParseDocumentsAsJson(text))
        {
            var source = $"{sourceName}#{result.Index + 1}";
            if (result.IsError)
            {
                errors.Add(new ManifestError(source, result.DescribeError()!));
            }
            else if (result.Element is { } element)
            {
                AddObject(element, source, result.Line, documents, errors);
            }
            else if (isJson && result.Node is JsonArray array)
            {
                var items = Detach(array);
                for (var i = 0; i < items.Length; i++)
                {
                    AddObject(items[i], $"{source}[{i}]", null, documents, errors);
                }
            }
            else
            {
                AddObject(result.Node, source, result.Line, documents, errors);
            }
        }

        return new ManifestLoadResult(documents, errors);
    }

    private static void AddInputs(string path, TextReader? stdin, List<ManifestInput> inputs)
    {
        if (path == StdinPath)
        {
            try
            {
                inputs.Add(new ManifestInput(StdinSourceName, null, (stdin ?? Console.In).ReadToEnd(), null));
            }
            catch (IOException ex)
            {
                inputs.Add(new ManifestInput(StdinSourceName, null, null, $"cannot read standard input: {ex.Message}"));
            }

            return;
        }

        if (Directory.Exists(path))
        {
            List<string> files;
            try
            {
                files = Directory.EnumerateFiles(path, "*", FolderEnumeration).Where(IsManifestFile).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                inputs.Add(new ManifestInput(path, null, null, $"cannot list folder: {ex.Message}"));
                return;
            }

            files.Sort(StringComparer.Ordinal);
            inputs.AddRange(files.Select(file => new ManifestInput(file, file, null, null)));
        }
        else if (File.Exists(path))
        {
            inputs.Add(new ManifestInput(path, path, null, null));
        }
        else
        {
            inputs.Add(new ManifestInput(path, null, null, "no such file or folder"));
        }
    }

    private static bool IsManifestFile(string path)
    {
        var extension = Path.GetExtension(path.AsSpan());
        return extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".json", StringComparison.OrdinalIgnoreCase);
    }

    private static ManifestLoadResult LoadInput(ManifestInput input)
    {
        if (input.Error is not null)
        {
            return new ManifestLoadResult([], [new ManifestError(input.Source, input.Error)]);
        }

        var text = input.Text;
        if (input.FilePath is not null && !InputFile.TryReadText(input.FilePath, out text, out var error))
        {
            return new ManifestLoadResult([], [new ManifestError(input.Source, error)]);
        }

        try
        {
            return LoadText(text ?? string.Empty, input.Source);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Last line of defence: a bug or an unforeseen input costs this input, never the others.
            return new ManifestLoadResult([], [new ManifestError(input.Source, $"cannot read these manifests: {ExceptionText.Describe(ex)}")]);
        }
    }

    private static void AddObject(JsonNode? node, string source, int? line, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        var where = line is { } l ? $" (document starting at line {l})" : string.Empty;
        if (node is not JsonObject obj)
        {
            var found = node?.GetValueKind() switch
            {
                null => "null",
                JsonValueKind.Array => "an array",
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                _ => "a boolean",
            };
            errors.Add(new ManifestError(source, $"expected a Kubernetes object (a mapping), found {found}{where}"));
            return;
        }

        var kind = obj["kind"];
        if (kind is JsonValue kindValue && kindValue.TryGetValue<string>(out var kindName) && kindName.EndsWith("List", StringComparison.Ordinal))
        {
            var items = obj["items"];
            if (items is JsonArray array)
            {
                var detached = Detach(array);
                for (var i = 0; i < detached.Length; i++)
                {
                    AddObject(detached[i], $"{source}/items[{i}]", null, documents, errors);
                }

                return;
            }

            if (kindName == "List")
            {
                if (items is not null)
                {
                    errors.Add(new ManifestError(source, $"field \"items\" of a List must be an array{where}"));
                }

                return;
            }
        }

        var problem = CheckRequiredFields(obj);
        if (problem is not null)
        {
            errors.Add(new ManifestError(source, problem + where));
            return;
        }

        documents.Add(new ManifestDocument(source, obj));
    }

    /// <summary><see cref="AddObject(JsonNode?, string, int?, List{ManifestDocument}, List{ManifestError})"/> for a document the fast path read: the same checks and messages.</summary>
    private static void AddObject(JsonElement element, string source, int? line, List<ManifestDocument> documents, List<ManifestError> errors)
    {
        var where = line is { } l ? $" (document starting at line {l})" : string.Empty;
        if (element.ValueKind != JsonValueKind.Object)
        {
            var found = element.ValueKind switch
            {
                JsonValueKind.Null => "null",
                JsonValueKind.Array => "an array",
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                _ => "a boolean",
            };
            errors.Add(new ManifestError(source, $"expected a Kubernetes object (a mapping), found {found}{where}"));
            return;
        }

        // A JsonObject gives null for a field that is missing and for one that is null: so do these.
        var kind = Field(element, "kind");
        if (kind is { ValueKind: JsonValueKind.String } kindValue && kindValue.GetString() is { } kindName && kindName.EndsWith("List", StringComparison.Ordinal))
        {
            var items = Field(element, "items");
            if (items is { ValueKind: JsonValueKind.Array } array)
            {
                var i = 0;
                foreach (var item in array.EnumerateArray())
                {
                    AddObject(item, $"{source}/items[{i++}]", null, documents, errors);
                }

                return;
            }

            if (kindName == "List")
            {
                if (items is not null)
                {
                    errors.Add(new ManifestError(source, $"field \"items\" of a List must be an array{where}"));
                }

                return;
            }
        }

        var apiVersion = Field(element, "apiVersion");
        var problem = apiVersion is null && kind is null
            ? "missing required fields \"apiVersion\" and \"kind\""
            : CheckStringField("apiVersion", apiVersion) ?? CheckStringField("kind", kind);
        if (problem is not null)
        {
            errors.Add(new ManifestError(source, problem + where));
            return;
        }

        documents.Add(new ManifestDocument(source, element));
    }

    private static JsonElement? Field(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? CheckStringField(string name, JsonElement? value)
    {
        if (value is not { } v)
        {
            return $"missing required field \"{name}\"";
        }

        return v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? null
            : $"field \"{name}\" must be a non-empty string";
    }

    private static string? CheckRequiredFields(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"];
        var kind = obj["kind"];
        if (apiVersion is null && kind is null)
        {
            return "missing required fields \"apiVersion\" and \"kind\"";
        }

        return CheckStringField("apiVersion", apiVersion) ?? CheckStringField("kind", kind);
    }

    private static string? CheckStringField(string name, JsonNode? value)
    {
        if (value is null)
        {
            return $"missing required field \"{name}\"";
        }

        return value is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
            ? null
            : $"field \"{name}\" must be a non-empty string";
    }

    /// <summary>Takes the items out of an array so that each has no parent.</summary>
    private static JsonNode?[] Detach(JsonArray array)
    {
        var items = array.ToArray();
        array.Clear();
        return items;
    }
}
