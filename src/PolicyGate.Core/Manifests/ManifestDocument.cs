using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Manifests;

/// <summary>A Kubernetes object read from a manifest file.</summary>
/// <remarks>
/// The loader keeps the object in the form its reader made: JSON (<see cref="Element"/>) from the fast path for
/// plain block YAML, a <see cref="JsonObject"/> from the full path. Each form is made from the other on first use.
/// </remarks>
public sealed record ManifestDocument
{
    private JsonObject? _object;

    /// <param name="source">See <see cref="Source"/>.</param>
    /// <param name="obj">See <see cref="Object"/>.</param>
    public ManifestDocument(string source, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(obj);
        Source = source;
        _object = obj;
    }

    /// <param name="source">See <see cref="Source"/>.</param>
    /// <param name="element">The object as JSON; an object with a non-empty string <c>apiVersion</c> and <c>kind</c>.</param>
    internal ManifestDocument(string source, JsonElement element)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        Element = element;
    }

    /// <summary>
    /// Where it came from: the file and the 1-based document number, e.g. <c>manifests/app.yaml#2</c>; items of a
    /// <c>List</c> add their 0-based index, e.g. <c>manifests/list.yaml#1/items[3]</c> (elements of a top-level JSON
    /// array: <c>objects.json#1[0]</c>); standard input is <c>&lt;stdin&gt;</c>.
    /// </summary>
    public string Source { get; }

    /// <summary>
    /// The object; it has a non-empty string <c>apiVersion</c> and <c>kind</c>, and no parent. Made from
    /// <see cref="Element"/> on first use when the fast path read it (like any <see cref="JsonNode"/>, not for
    /// concurrent use).
    /// </summary>
    public JsonObject Object => _object ??= JsonObject.Create(Element!.Value)!;

    /// <summary>The object as JSON, when the loader's fast path read it; else <c>null</c> (see <see cref="ToElement"/>).</summary>
    internal JsonElement? Element { get; }

    /// <summary>The object as JSON: <see cref="Element"/>, or <see cref="Object"/> serialised (which can throw, e.g. past 64 levels).</summary>
    internal JsonElement ToElement() => Element ?? JsonSerializer.SerializeToElement(_object);
}
