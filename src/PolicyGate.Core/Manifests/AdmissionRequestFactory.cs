using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;

namespace PolicyGate.Core.Manifests;

/// <summary>
/// Builds the AdmissionRequest the API server would send for a saved manifest: the resource is found from the
/// kind the way kubectl guesses it, the namespace defaults to <c>default</c> for namespaced kinds, CREATE carries
/// the object, UPDATE carries it as both object and old object, DELETE carries it as the old object only.
/// </summary>
public static class AdmissionRequestFactory
{
    public const string DryRunUser = "policygate-dry-run";

    /// <param name="source">Where the manifest came from; the request uid is derived from it, so output is stable.</param>
    /// <exception cref="ArgumentException">The manifest has no usable apiVersion or kind.</exception>
    public static AdmissionRequest Create(JsonObject manifest, string source, string operation = "CREATE")
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var apiVersion = Text(manifest["apiVersion"]) ?? throw new ArgumentException("the object has no apiVersion", nameof(manifest));
        var kind = Text(manifest["kind"]) ?? throw new ArgumentException("the object has no kind", nameof(manifest));
        var resource = ResourceMapper.Resolve(apiVersion, kind);
        var metadata = manifest["metadata"] as JsonObject;
        var name = Text(metadata?["name"]) ?? Text(metadata?["generateName"]);
        var ns = Text(metadata?["namespace"]);
        return Create(JsonSerializer.SerializeToElement(manifest), resource, kind, name, ns, source, operation);
    }

    /// <summary>The same, for a manifest already in JSON form (no copy is made).</summary>
    /// <exception cref="ArgumentException">The manifest is not an object, or has no usable apiVersion or kind.</exception>
    public static AdmissionRequest Create(JsonElement manifest, string source, string operation = "CREATE")
    {
        if (manifest.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("the manifest is not an object", nameof(manifest));
        }

        var apiVersion = Text(manifest, "apiVersion") ?? throw new ArgumentException("the object has no apiVersion", nameof(manifest));
        var kind = Text(manifest, "kind") ?? throw new ArgumentException("the object has no kind", nameof(manifest));
        var resource = ResourceMapper.Resolve(apiVersion, kind);
        string? name = null;
        string? ns = null;
        if (manifest.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            name = Text(metadata, "name") ?? Text(metadata, "generateName");
            ns = Text(metadata, "namespace");
        }

        return Create(manifest, resource, kind, name, ns, source, operation);
    }

    private static AdmissionRequest Create(JsonElement element, ResourceInfo resource, string kind, string? name, string? ns, string source, string operation)
    {
        if (resource.Namespaced)
        {
            ns ??= "default";
        }
        else
        {
            // The API server sends a Namespace's own name as the request namespace; other cluster objects have none.
            ns = resource.Resource == "namespaces" && resource.Group.Length == 0 ? name : null;
        }

        var gvk = new GroupVersionKind { Group = resource.Group, Version = resource.Version, Kind = kind };
        var gvr = new GroupVersionResource { Group = resource.Group, Version = resource.Version, Resource = resource.Resource };
        return new AdmissionRequest
        {
            Uid = DeterministicUid(source),
            Kind = gvk,
            Resource = gvr,
            RequestKind = gvk,
            RequestResource = gvr,
            SubResource = "",
            Name = name,
            Namespace = ns,
            Operation = operation,
            UserInfo = new UserInfo { Username = DryRunUser, Groups = ["system:authenticated"] },
            Object = operation == "DELETE" ? null : element,
            OldObject = operation is "UPDATE" or "DELETE" ? element : null,
            DryRun = false,
        };
    }

    private static string? Text(JsonElement obj, string field) =>
        obj.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>A uid that is the same for the same source on every run (two FNV-1a passes; no cryptography needed).</summary>
    private static string DeterministicUid(string source)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Fnv1a(source, 14695981039346656037UL));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], Fnv1a(source, 1099511628211UL * 31));
        return new Guid(bytes).ToString();
    }

    private static ulong Fnv1a(string text, ulong seed)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
