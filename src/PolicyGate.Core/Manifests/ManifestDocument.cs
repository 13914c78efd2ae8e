using System.Text.Json.Nodes;

namespace PolicyGate.Core.Manifests;

/// <summary>A Kubernetes object read from a manifest file.</summary>
/// <param name="Source">
/// Where it came from: the file and the 1-based document number, e.g. <c>manifests/app.yaml#2</c>; items of a
/// <c>List</c> add their 0-based index, e.g. <c>manifests/list.yaml#1/items[3]</c> (elements of a top-level JSON
/// array: <c>objects.json#1[0]</c>); standard input is <c>&lt;stdin&gt;</c>.
/// </param>
/// <param name="Object">The object; it has a non-empty string <c>apiVersion</c> and <c>kind</c>, and no parent.</param>
public sealed record ManifestDocument(string Source, JsonObject Object);
