using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// Converts YAML (possibly multi-document) or JSON text to <see cref="JsonNode"/>s.
/// </summary>
/// <remarks>
/// <para>
/// Text whose first non-blank character is <c>{</c> or <c>[</c> is JSON (comments and trailing commas allowed,
/// duplicate keys rejected) and gives exactly one document. Anything else is YAML, read with YamlDotNet's event
/// parser; scalars follow the YAML 1.2 core schema (see <see cref="YamlScalarResolver"/>).
/// </para>
/// <para>
/// Error recovery: the stream is cut at every document marker (<c>---</c> at the start of a line, and after
/// <c>...</c>), which YAML forbids inside any node, and each slice is parsed on its own, so an error only loses its
/// own document; the documents before and after it are kept. Syntax errors, documents that parse but cannot become
/// JSON (non-scalar or duplicate key, <c>.inf</c>, undefined alias...) and documents over a limit are reported with
/// their line and column, whatever exception the parser throws.
/// </para>
/// <para>
/// Limits, checked while parsing so that refusal is fast: nesting deeper than <see cref="MaxDepth"/>, more than
/// <see cref="MaxNodesPerDocument"/> nodes, and excessive aliasing (the rule of Kubernetes' YAML decoder, see
/// <see cref="YamlNodeBuilder"/>).
/// </para>
/// </remarks>
internal static class YamlJson
{
    /// <summary>Maximum nesting of mappings/sequences (and of JSON objects/arrays).</summary>
    public const int MaxDepth = 256;

    /// <summary>Maximum number of nodes one document may expand to, aliases included.</summary>
    public const int MaxNodesPerDocument = 5_000_000;

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses every document of <paramref name="text"/>; empty documents are skipped.</summary>
    public static IReadOnlyList<YamlDocumentResult> ParseDocuments(string text) => Parse(text, fastPath: false);

    /// <summary>
    /// Parses every document of <paramref name="text"/> as <see cref="ParseDocuments"/> does, but a document in the
    /// plain block style most manifests use is read by a fast path straight to JSON (<see cref="BlockYamlReader"/>:
    /// the result's <see cref="YamlDocumentResult.Element"/>); every other document, and every error, comes from the
    /// same full path as <see cref="ParseDocuments"/> (the result's <see cref="YamlDocumentResult.Node"/>).
    /// </summary>
    public static IReadOnlyList<YamlDocumentResult> ParseDocumentsAsJson(string text) => Parse(text, fastPath: true);

    private static List<YamlDocumentResult> Parse(string text, bool fastPath)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        if (LooksLikeJson(text))
        {
            return [ParseJson(text, start)];
        }

        var results = new List<YamlDocumentResult>();
        var nextIndex = 0;
        using var fast = fastPath ? new BlockYamlReader() : null;
        foreach (var chunk in SplitChunks(text, start))
        {
            var element = default(JsonElement);
            var line = 0;
            var outcome = fast is null ? BlockYamlReader.Outcome.NotHandled : fast.TryRead(text, chunk, out element, out line);
            switch (outcome)
            {
                case BlockYamlReader.Outcome.Document:
                    results.Add(new YamlDocumentResult(nextIndex++, line, null, null) { Element = element });
                    break;
                case BlockYamlReader.Outcome.EmptyDocument:
                    nextIndex++;
                    break;
                case BlockYamlReader.Outcome.NoDocument:
                    break;
                default: // no fast path, or a slice outside its subset: the full path, with its errors
                    ParseChunk(text, chunk, results, ref nextIndex);
                    break;
            }
        }

        return results;
    }

    /// <summary>
    /// Parses text that must hold at most one document. Returns <c>null</c> when there is none (or it is an
    /// explicit null); throws <see cref="FormatException"/> naming <paramref name="sourceName"/> and the line on a
    /// syntax error or when there is more than one document.
    /// </summary>
    public static JsonNode? ParseSingle(string text, string sourceName)
    {
        var documents = ParseDocuments(text);
        if (documents.Count == 0)
        {
            return null;
        }

        var first = documents[0];
        if (first.IsError)
        {
            throw new FormatException($"{sourceName}: {first.DescribeError()}");
        }

        if (documents.Count > 1)
        {
            var second = documents[1];
            throw new FormatException(
                $"{sourceName}: expected a single document, found another at line {second.Line}");
        }

        return first.Node;
    }

    /// <summary>Whether the text is treated as JSON: its first non-blank character is <c>{</c> or <c>[</c>.</summary>
    public static bool LooksLikeJson(string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case ' ' or '\t' or '\r' or '\n' or '\uFEFF':
                    continue;
                case '{' or '[':
                    return true;
                default:
                    return false;
            }
        }

        return false;
    }

    private static YamlDocumentResult ParseJson(string text, int start)
    {
        var firstLine = 1;
        for (var i = start; i < text.Length && char.IsWhiteSpace(text[i]); i++)
        {
            if (text[i] == '\n')
            {
                firstLine++;
            }
        }

        try
        {
            var node = JsonNode.Parse(start == 0 ? text : text[start..], nodeOptions: null, JsonOptions);
            return new YamlDocumentResult(0, firstLine, node, null);
        }
        catch (JsonException ex)
        {
            var line = ex.LineNumber is { } l ? (int)l + 1 : firstLine;
            var column = ex.BytePositionInLine is { } b ? ByteToColumn(text, start, line, (int)b) : 1;
            return new YamlDocumentResult(0, line, null, CleanJsonMessage(ex.Message)) { Column = column };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Text the JSON reader cannot even take in (a lone UTF-16 surrogate, say) is this document's error too.
            return new YamlDocumentResult(0, firstLine, null, $"invalid JSON ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>Converts a 0-based UTF-8 byte offset within a 1-based line into a 1-based character column.</summary>
    private static int ByteToColumn(string text, int start, int line, int bytePosition)
    {
        var lineStart = start;
        for (var current = 1; current < line; current++)
        {
            var newline = text.IndexOf('\n', lineStart);
            if (newline < 0)
            {
                return bytePosition + 1;
            }

            lineStart = newline + 1;
        }

        var bytes = 0;
        var index = lineStart;
        while (index < text.Length && bytes < bytePosition && text[index] != '\n')
        {
            var length = char.IsSurrogatePair(text, index) ? 2 : 1;
            bytes += Encoding.UTF8.GetByteCount(text.AsSpan(index, length));
            index += length;
        }

        return index - lineStart + 1;
    }

    private static string CleanJsonMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        var path = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (path >= 0 && (cut < 0 || path < cut))
        {
            cut = path;
        }

        return (cut >= 0 ? message[..cut] : message).TrimEnd(' ', '|', '.') + ".";
    }

    /// <summary>
    /// Cuts the stream at document markers. A marker line starts a new slice unless the current slice holds only
    /// blank, comment and directive lines; after a document end marker (<c>...</c>) the next directive or content
    /// line starts one too (directives belong to the document that follows them). So a slice holds one document.
    /// </summary>
    internal static List<YamlChunk> SplitChunks(string text, int start)
    {
        var chunks = new List<YamlChunk>();
        var chunkStart = start;
        var chunkLine = 1;
        var chunkHasContent = false;
        var afterDocumentEnd = false;
        var position = start;
        var line = 1;
        while (position < text.Length)
        {
            var newline = text.IndexOf('\n', position);
            var next = newline < 0 ? text.Length : newline + 1;
            var end = newline < 0 ? text.Length : newline;
            if (end > position && text[end - 1] == '\r')
            {
                end--;
            }

            var lineText = text.AsSpan(position, end - position);
            if (IsMarker(lineText, '-'))
            {
                if (chunkHasContent)
                {
                    chunks.Add(new YamlChunk(chunkStart, position - chunkStart, chunkLine));
                    chunkStart = position;
                    chunkLine = line;
                }

                chunkHasContent = true;
                afterDocumentEnd = false;
            }
            else if (IsMarker(lineText, '.'))
            {
                chunkHasContent = true;
                afterDocumentEnd = true;
            }
            else if (lineText.Length > 0 && lineText[0] == '%')
            {
                if (afterDocumentEnd)
                {
                    chunks.Add(new YamlChunk(chunkStart, position - chunkStart, chunkLine));
                    chunkStart = position;
                    chunkLine = line;
                    chunkHasContent = false;
                    afterDocumentEnd = false;
                }
            }
            else if (!IsBlankOrComment(lineText))
            {
                if (afterDocumentEnd)
                {
                    // A bare document after "...": its own slice, so that an error in one never costs the other.
                    chunks.Add(new YamlChunk(chunkStart, position - chunkStart, chunkLine));
                    chunkStart = position;
                    chunkLine = line;
                }

                chunkHasContent = true;
                afterDocumentEnd = false;
            }

            position = next;
            line++;
        }

        if (chunkStart < text.Length || chunks.Count == 0)
        {
            chunks.Add(new YamlChunk(chunkStart, text.Length - chunkStart, chunkLine));
        }

        return chunks;
    }

    private static bool IsMarker(ReadOnlySpan<char> line, char c) =>
        line.Length >= 3 && line[0] == c && line[1] == c && line[2] == c && (line.Length == 3 || line[3] is ' ' or '\t');

    private static bool IsBlankOrComment(ReadOnlySpan<char> line)
    {
        var trimmed = line.TrimStart(" \t");
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    private static void ParseChunk(string text, YamlChunk chunk, List<YamlDocumentResult> results, ref int nextIndex)
    {
        var lineOffset = chunk.FirstLine - 1;
        var scanner = new Scanner(new StringReader(text.Substring(chunk.Start, chunk.Length)));
        var parser = new Parser(scanner);
        var builder = new YamlNodeBuilder(parser);
        var openIndex = -1;
        var openStart = Mark.Empty;
        try
        {
            parser.MoveNext();
            builder.Take(); // StreamStart
            while (builder.Current is not StreamEnd)
            {
                var documentStart = builder.Take();
                openIndex = nextIndex++;
                openStart = documentStart.Start;
                if (builder.TryBuildRoot(out var node))
                {
                    results.Add(new YamlDocumentResult(openIndex, (int)documentStart.Start.Line + lineOffset, node, null));
                }

                builder.Take(); // DocumentEnd
                openIndex = -1;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A syntax error, a document that cannot become JSON, or a limit: the rest of this slice is not read.
            // Slices end at every document marker, so that is at most the rest of this one document; skipping its
            // events instead could cost as much as the input is deep. YamlDotNet also throws plain exceptions
            // (InvalidOperationException from its scanner) on some malformed input: those are syntax errors too.
            var (mark, message) = ex switch
            {
                YamlConversionException conversion => (conversion.Mark.Equals(Mark.Empty) ? openStart : conversion.Mark, conversion.Message),
                YamlException yaml => (yaml.Start, yaml.Message),
                _ => (scanner.CurrentPosition, $"invalid YAML: the parser cannot read past this point ({ex.GetType().Name}); look for a '{{' or '[' left open, or continued on a less indented line"),
            };
            var index = openIndex >= 0 ? openIndex : nextIndex++;
            results.Add(new YamlDocumentResult(index, Math.Max(1, (int)mark.Line + lineOffset), null, message)
            {
                Column = Math.Max(1, (int)mark.Column),
            });
        }
    }
}
