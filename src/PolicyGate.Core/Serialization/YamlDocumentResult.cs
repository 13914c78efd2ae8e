using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// One document of a YAML (or JSON) stream, converted to a <see cref="JsonNode"/>, or the error that prevented it.
/// </summary>
/// <param name="Index">
/// 0-based position of the document in the stream. Empty documents are skipped but still counted, so the index
/// matches what a reader counts between <c>---</c> markers (and indexes may have gaps).
/// </param>
/// <param name="Line">
/// 1-based line where the document starts; for an error, the line of the error.
/// </param>
/// <param name="Node">
/// The converted document (<c>null</c> for an explicit YAML null, on error, and when <see cref="Element"/> holds it).
/// </param>
/// <param name="Error">The error message (without position), or <c>null</c> on success.</param>
internal sealed record YamlDocumentResult(int Index, int Line, JsonNode? Node, string? Error)
{
    /// <summary>1-based column of the error; 1 for successful documents.</summary>
    public int Column { get; init; } = 1;

    /// <summary>
    /// The document as JSON, when <see cref="YamlJson.ParseDocumentsAsJson"/> read it by its fast path
    /// (<see cref="BlockYamlReader"/>); then <see cref="Node"/> is <c>null</c>.
    /// </summary>
    public JsonElement? Element { get; init; }

    /// <summary>Whether this result is an error.</summary>
    public bool IsError => Error is not null;

    /// <summary>The error with its position, e.g. <c>line 3, column 5: found invalid mapping</c>.</summary>
    public string? DescribeError() => Error is null ? null : $"line {Line}, column {Column}: {Error}";
}
