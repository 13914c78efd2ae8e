using System.Collections.ObjectModel;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PolicyGate.Core.Admission;

/// <summary>
/// An AdmissionReview read from its JSON in one parse: the <see cref="AdmissionRequest"/>'s <c>object</c>,
/// <c>oldObject</c> and <c>options</c> are elements of this document, not copies, so they are valid only until the
/// document is disposed (an element used after that throws <see cref="ObjectDisposedException"/>; it never sees other
/// bytes). The webhook server parses each request body this way and disposes the document once it has answered.
/// </summary>
public sealed class AdmissionReviewDocument : IDisposable
{
    /// <summary>The deepest nesting read (System.Text.Json's default is 64; Kubernetes objects can be deeper).</summary>
    public const int MaxDepth = 256;

    private readonly JsonDocument _document;

    private AdmissionReviewDocument(JsonDocument document, AdmissionReview review)
    {
        _document = document;
        Review = review;
    }

    /// <summary>An <c>admission.k8s.io/v1</c> AdmissionReview with a request that has a uid.</summary>
    public AdmissionReview Review { get; }

    public AdmissionRequest Request => Review.Request!;

    /// <summary>
    /// Parses and checks an AdmissionReview. On failure <paramref name="error"/> says what is wrong and where (the
    /// JSON line and byte of a syntax error, or the field, such as <c>request.userInfo.groups</c>).
    /// </summary>
    /// <param name="utf8">The JSON; it must not change until the document is disposed.</param>
    public static bool TryParse(ReadOnlyMemory<byte> utf8, out AdmissionReviewDocument? document, out string? error)
    {
        document = null;
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..]; // a byte order mark, as editors on Windows write it
        }

        // The JSON reader checks the bytes of strings only when one is read as text, so invalid UTF-8 would surface later
        // as an exception from whatever reads that string (this reader, or a policy): refuse it here, as a bad body.
        if (!Utf8.IsValid(utf8.Span))
        {
            error = $"the body is not valid UTF-8 ({DescribeInvalidUtf8(utf8.Span)}); JSON must be UTF-8";
            return false;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, byte {ex.BytePositionInLine + 1})" : "";
            error = $"the body is not a valid AdmissionReview JSON{where}: {ex.Message.Split(" LineNumber:")[0]}";
            return false;
        }

        try
        {
            var review = ReadReview(json.RootElement);
            if (review.Kind != AdmissionReview.KindName || review.ApiVersion != AdmissionReview.ApiVersionV1)
            {
                error = $"expected kind AdmissionReview with apiVersion {AdmissionReview.ApiVersionV1}, got kind \"{review.Kind}\" apiVersion \"{review.ApiVersion}\"";
            }
            else if (review.Request is null)
            {
                error = "the AdmissionReview has no request";
            }
            else if (string.IsNullOrEmpty(review.Request.Uid))
            {
                error = "request.uid is required (the response must echo it)";
            }
            else
            {
                document = new AdmissionReviewDocument(json, review);
                error = null;
                return true;
            }
        }
        catch (FormatException ex)
        {
            error = $"the body is not a valid AdmissionReview JSON: {ex.Message}";
        }

        json.Dispose();
        return false;
    }

    public void Dispose() => _document.Dispose();

    /// <summary>Where the first invalid UTF-8 sequence is, as JSON syntax errors say it: line, byte in the line, and the byte.</summary>
    private static string DescribeInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length && Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return offset < utf8.Length ? $"line {line}, byte {offset - lineStart + 1}: 0x{utf8[offset]:X2}" : $"line {line}";
    }

    private static AdmissionReview ReadReview(JsonElement root)
    {
        Expect(root, JsonValueKind.Object, "the body");
        var review = new AdmissionReview();
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (Field(property, "apiVersion", "kind", "request"))
            {
                case 0: review.ApiVersion = String(value, "apiVersion"); break;
                case 1: review.Kind = String(value, "kind"); break;
                case 2: review.Request = value.ValueKind == JsonValueKind.Null ? null : ReadRequest(value); break;
                default: break; // a response (never sent by the API server) or another field: not ours to read
            }
        }

        return review;
    }

    private static AdmissionRequest ReadRequest(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "request");
        string uid = "", operation = "";
        string? subResource = null, requestSubResource = null, name = null, ns = null;
        GroupVersionKind kind = new();
        GroupVersionResource resource = new();
        GroupVersionKind? requestKind = null;
        GroupVersionResource? requestResource = null;
        UserInfo userInfo = new();
        JsonElement? obj = null, oldObj = null, options = null;
        bool? dryRun = null;
        Dictionary<string, JsonElement>? extension = null;
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (Field(property, RequestFields))
            {
                case 0: uid = String(value, "request.uid") ?? ""; break;
                case 1: kind = ReadKind(value, "request.kind") ?? new GroupVersionKind(); break;
                case 2: resource = ReadResource(value, "request.resource") ?? new GroupVersionResource(); break;
                case 3: subResource = String(value, "request.subResource"); break;
                case 4: requestKind = ReadKind(value, "request.requestKind"); break;
                case 5: requestResource = ReadResource(value, "request.requestResource"); break;
                case 6: requestSubResource = String(value, "request.requestSubResource"); break;
                case 7: name = String(value, "request.name"); break;
                case 8: ns = String(value, "request.namespace"); break;
                case 9: operation = String(value, "request.operation") ?? ""; break;
                case 10: userInfo = ReadUserInfo(value) ?? new UserInfo(); break;
                case 11: obj = Element(value); break;
                case 12: oldObj = Element(value); break;
                case 13: dryRun = Boolean(value, "request.dryRun"); break;
                case 14: options = Element(value); break;
                default: (extension ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[property.Name] = value; break;
            }
        }

        return new AdmissionRequest
        {
            Uid = uid,
            Kind = kind,
            Resource = resource,
            SubResource = subResource,
            RequestKind = requestKind,
            RequestResource = requestResource,
            RequestSubResource = requestSubResource,
            Name = name,
            Namespace = ns,
            Operation = operation,
            UserInfo = userInfo,
            Object = obj,
            OldObject = oldObj,
            DryRun = dryRun,
            Options = options,
            ExtensionData = extension is null ? null : new ReadOnlyDictionary<string, JsonElement>(extension),
        };
    }

    private static readonly string[] RequestFields =
    [
        "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource", "name", "namespace",
        "operation", "userInfo", "object", "oldObject", "dryRun", "options",
    ];

    private static GroupVersionKind? ReadKind(JsonElement element, string path) =>
        ReadGroupVersion(element, path, "kind") is var (group, version, kind) ? new GroupVersionKind { Group = group, Version = version, Kind = kind } : null;

    private static GroupVersionResource? ReadResource(JsonElement element, string path) =>
        ReadGroupVersion(element, path, "resource") is var (group, version, resource) ? new GroupVersionResource { Group = group, Version = version, Resource = resource } : null;

    /// <summary>A <c>{group, version, NAME}</c> object (a kind or a resource); absent fields are empty, JSON null is none.</summary>
    private static (string Group, string Version, string Name)? ReadGroupVersion(JsonElement element, string path, string name)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(element, JsonValueKind.Object, path);
        string group = "", version = "", value = "";
        foreach (var property in element.EnumerateObject())
        {
            switch (Field(property, "group", "version", name))
            {
                case 0: group = String(property.Value, path + ".group") ?? ""; break;
                case 1: version = String(property.Value, path + ".version") ?? ""; break;
                case 2: value = String(property.Value, $"{path}.{name}") ?? ""; break;
                default: break;
            }
        }

        return (group, version, value);
    }

    private static UserInfo? ReadUserInfo(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(element, JsonValueKind.Object, "request.userInfo");
        string? username = null, uid = null;
        IReadOnlyList<string>? groups = null;
        IReadOnlyDictionary<string, IReadOnlyList<string>>? extra = null;
        Dictionary<string, JsonElement>? extension = null;
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            switch (Field(property, "username", "uid", "groups", "extra"))
            {
                case 0: username = String(value, "request.userInfo.username"); break;
                case 1: uid = String(value, "request.userInfo.uid"); break;
                case 2: groups = Strings(value, "request.userInfo.groups"); break;
                case 3: extra = ReadExtra(value); break;
                default: (extension ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal))[property.Name] = value; break;
            }
        }

        return new UserInfo
        {
            Username = username,
            Uid = uid,
            Groups = groups,
            Extra = extra,
            ExtensionData = extension is null ? null : new ReadOnlyDictionary<string, JsonElement>(extension),
        };
    }

    private static ReadOnlyDictionary<string, IReadOnlyList<string>>? ReadExtra(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(element, JsonValueKind.Object, "request.userInfo.extra");
        var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            extra[name] = Strings(property.Value, $"request.userInfo.extra[\"{name}\"]") ?? Array.AsReadOnly(Array.Empty<string>());
        }

        return new ReadOnlyDictionary<string, IReadOnlyList<string>>(extra);
    }

    /// <summary>A string array as a read-only list (a script cannot cast it back to something it could change).</summary>
    private static ReadOnlyCollection<string>? Strings(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        Expect(element, JsonValueKind.Array, path);
        var list = new string[element.GetArrayLength()];
        var i = 0;
        foreach (var item in element.EnumerateArray())
        {
            list[i] = String(item, $"{path}[{i}]") ?? throw new FormatException($"{path}[{i}] must be a string, not null");
            i++;
        }

        return Array.AsReadOnly(list);
    }

    private static string? String(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null => null,
        _ => throw new FormatException($"{path} must be a string, not {Describe(element)}"),
    };

    private static bool? Boolean(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw new FormatException($"{path} must be true or false, not {Describe(element)}"),
    };

    /// <summary>An embedded object as it is (an element of the document); JSON null is no object.</summary>
    private static JsonElement? Element(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element;

    private static void Expect(JsonElement element, JsonValueKind kind, string path)
    {
        if (element.ValueKind != kind)
        {
            throw new FormatException($"{path} must be {(kind == JsonValueKind.Object ? "an object" : "an array")}, not {Describe(element)}");
        }
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>
    /// The index of the property's name in <paramref name="names"/>, or -1. Names are matched as the API server writes
    /// them, and otherwise without regard to case (as System.Text.Json's web defaults read them).
    /// </summary>
    private static int Field(JsonProperty property, params ReadOnlySpan<string> names)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.IndexOf((byte)'\\') >= 0)
        {
            var unescaped = property.Name;
            for (var i = 0; i < names.Length; i++)
            {
                if (string.Equals(names[i], unescaped, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return -1;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (Ascii.Equals(raw, names[i]))
            {
                return i;
            }
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(raw, names[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
