using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// A fast path for one YAML document written in the plain block style of most Kubernetes manifests: it writes the
/// document straight to JSON, without YamlDotNet's scanner, its events or a <see cref="JsonNode"/> tree.
/// </summary>
/// <remarks>
/// <para>
/// The subset: block mappings and sequences (a sequence may sit at its key's indentation), keys that are plain
/// (starting with a letter, digit, <c>_</c>, <c>.</c> or <c>/</c>) or quoted, plain scalars on one line (resolved
/// by <see cref="YamlScalarResolver"/>, as the full path resolves them), single-quoted and double-quoted scalars on
/// one line (double-quoted without escapes), flow sequences and mappings that open and close on one line, comments,
/// blank lines, and a leading <c>---</c>. The text must be printable ASCII without tabs.
/// </para>
/// <para>
/// Anything else (anchors, aliases, tags, merge keys, block scalars, scalars over several lines, escapes, flow
/// collections over several lines, complex keys, directives, <c>...</c>, nesting deeper than
/// <see cref="MaxDepth"/> or more than <see cref="MaxNodes"/> nodes) and anything that is not valid YAML (a
/// duplicate key, a line indented where no node may start, a value where a key must be) makes it give up
/// (<see cref="Outcome.NotHandled"/>), and the caller reads the document with YamlDotNet instead. So the fast path
/// never reports an error itself: every error message and limit is the full path's. Its JSON is byte for byte what
/// serialising the full path's <see cref="JsonNode"/> gives (tests compare the two on the bundled manifests and on
/// the fuzz suite's mutations of them).
/// </para>
/// <para>An instance reuses its buffers from one document to the next: one per thread (e.g. per file).</para>
/// <para>
/// Its loops are compiled fully optimised at once (<see cref="MethodImplOptions.AggressiveOptimization"/>): a dry-run
/// lives about a second, most of which the tiered JIT would spend running them as unoptimised first-tier code.
/// </para>
/// </remarks>
internal sealed class BlockYamlReader : IDisposable
{
    /// <summary>Deeper documents are left to the full path (whose limit is <see cref="YamlJson.MaxDepth"/>).</summary>
    public const int MaxDepth = 48;

    /// <summary>Documents with more nodes are left to the full path (whose limit is <see cref="YamlJson.MaxNodesPerDocument"/>).</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Mappings with more keys are left to the full path (the duplicate check here is a linear search).</summary>
    public const int MaxKeys = 256;

    private static readonly JsonDocumentOptions ElementOptions = new() { MaxDepth = YamlJson.MaxDepth };

    private readonly List<Line> _lines = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private readonly List<List<string>> _keys = [];
    private string _text = string.Empty;
    private int _index;
    private int _nodes;

    public BlockYamlReader()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { MaxDepth = YamlJson.MaxDepth + 1 });
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>What <see cref="TryRead"/> found.</summary>
    public enum Outcome
    {
        /// <summary>Outside the subset: read the slice with the full path.</summary>
        NotHandled,

        /// <summary>The slice holds no document (only blank and comment lines).</summary>
        NoDocument,

        /// <summary>The slice holds an empty document (a bare <c>---</c>): it counts, but gives nothing.</summary>
        EmptyDocument,

        /// <summary>The slice holds a document, converted.</summary>
        Document,
    }

    /// <summary>
    /// Reads the one document of a slice of <paramref name="text"/> (cut at document markers by
    /// <see cref="YamlJson.SplitChunks"/>).
    /// </summary>
    /// <param name="element">The document, when the outcome is <see cref="Outcome.Document"/>.</param>
    /// <param name="line">The 1-based line where the document starts (its <c>---</c>, else its first content line).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Outcome TryRead(string text, YamlChunk chunk, out JsonElement element, out int line)
    {
        element = default;
        line = 0;
        _text = text;
        _lines.Clear();
        var markerLine = 0;
        var position = chunk.Start;
        var end = chunk.Start + chunk.Length;
        for (var number = chunk.FirstLine; position < end; number++)
        {
            var newline = text.IndexOf('\n', position, end - position);
            var next = newline < 0 ? end : newline + 1;
            var lineEnd = newline < 0 ? end : newline;
            if (lineEnd > position && text[lineEnd - 1] == '\r')
            {
                lineEnd--;
            }

            var span = text.AsSpan(position, lineEnd - position);
            if (span.ContainsAnyExceptInRange((char)0x20, (char)0x7E))
            {
                return Outcome.NotHandled; // tabs, control characters, anything beyond ASCII
            }

            var indent = span.IndexOfAnyExcept(' ');
            if (indent < 0 || span[indent] == '#')
            {
                position = next;
                continue; // blank or comment
            }

            if (indent == 0 && span.Length >= 3 && span[1] == span[0] && span[2] == span[0] && (span.Length == 3 || span[3] == ' ') && span[0] is '-' or '.')
            {
                var rest = span[3..].TrimStart(' ');
                if (span[0] == '.' || _lines.Count > 0 || markerLine > 0 || (rest.Length > 0 && rest[0] != '#'))
                {
                    return Outcome.NotHandled; // "...", a second marker, or content after "---"
                }

                markerLine = number;
                position = next;
                continue;
            }

            if (indent == 0 && span[0] == '%')
            {
                return Outcome.NotHandled; // a directive
            }

            _lines.Add(new Line(position + indent, lineEnd, indent, number));
            position = next;
        }

        if (_lines.Count == 0)
        {
            line = markerLine;
            return markerLine > 0 ? Outcome.EmptyDocument : Outcome.NoDocument;
        }

        line = markerLine > 0 ? markerLine : _lines[0].Number;
        _index = 0;
        _nodes = 0;
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        var first = _lines[0];
        var read = IsSequenceItem(first)
            ? ReadSequence(first.Indent, 0)
            : ReadMapping(first.Indent, first.Start, 0);
        if (!read || _index != _lines.Count)
        {
            return Outcome.NotHandled;
        }

        _writer.Flush();
        using (var document = JsonDocument.Parse(_buffer.WrittenMemory, ElementOptions))
        {
            element = document.RootElement.Clone();
        }

        return Outcome.Document;
    }

    private bool IsSequenceItem(Line line) =>
        _text[line.Start] == '-' && (line.Start + 1 == line.End || _text[line.Start + 1] == ' ');

    private bool CountNode() => ++_nodes <= MaxNodes;

    /// <summary>A block mapping whose keys stand at column <paramref name="indent"/>; the first key at <paramref name="firstKey"/> on the current line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadMapping(int indent, int firstKey, int depth)
    {
        if (depth >= MaxDepth || !CountNode())
        {
            return false;
        }

        var keys = KeysAt(depth);
        _writer.WriteStartObject();
        var position = firstKey;
        while (true)
        {
            var line = _lines[_index];
            if (!TryReadKey(position, line.End, ':', out var key, out var afterColon) || ContainsKey(keys, key))
            {
                return false;
            }

            keys.Add(key);
            _writer.WritePropertyName(key);
            if (!ReadValue(SkipSpaces(afterColon, line.End), line.End, indent, depth + 1, compactSequence: true))
            {
                return false;
            }

            if (_index == _lines.Count)
            {
                break;
            }

            var next = _lines[_index];
            if (next.Indent < indent)
            {
                break;
            }

            if (next.Indent > indent || IsSequenceItem(next))
            {
                return false; // a continuation line, or an item where a key must be
            }

            position = next.Start;
        }

        _writer.WriteEndObject();
        return true;
    }

    /// <summary>A block sequence whose dashes stand at column <paramref name="indent"/>, from the current line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadSequence(int indent, int depth)
    {
        if (depth >= MaxDepth || !CountNode())
        {
            return false;
        }

        _writer.WriteStartArray();
        while (true)
        {
            var line = _lines[_index];
            var content = SkipSpaces(line.Start + 1, line.End);
            var onThisLine = content < line.End && _text[content] != '#';
            if (onThisLine && _text[content] == '-' && (content + 1 == line.End || _text[content + 1] == ' '))
            {
                return false; // "- - x": a sequence in a sequence on one line
            }

            if (onThisLine && StartsMappingEntry(content, line.End))
            {
                var column = content - (line.Start - line.Indent);
                if (!ReadMapping(column, content, depth + 1))
                {
                    return false;
                }
            }
            else if (!ReadValue(content, line.End, indent, depth + 1, compactSequence: false))
            {
                return false;
            }

            if (_index == _lines.Count)
            {
                break;
            }

            var next = _lines[_index];
            if (next.Indent < indent)
            {
                break;
            }

            if (next.Indent > indent)
            {
                return false;
            }

            if (!IsSequenceItem(next))
            {
                break; // a key of the mapping this sequence sits in at the same indentation; the caller checks
            }
        }

        _writer.WriteEndArray();
        return true;
    }

    /// <summary>
    /// The value of a key (or item) that starts at <paramref name="start"/> on the current line, or, when only a comment
    /// or nothing follows there, the block value on the lines below (<see cref="ReadBlockValue"/>). The current line is
    /// read either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadValue(int start, int end, int parentIndent, int depth, bool compactSequence)
    {
        if (start == end || _text[start] == '#')
        {
            _index++;
            return ReadBlockValue(parentIndent, depth, compactSequence);
        }

        if (!ReadLineValue(start, end, depth))
        {
            return false;
        }

        _index++;
        return true;
    }

    /// <summary>
    /// The value of a key (or item) with nothing after it on its line: a block node on the lines below, indented
    /// deeper than <paramref name="parentIndent"/> (a key's sequence may also stand at the key's own column), or null.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadBlockValue(int parentIndent, int depth, bool compactSequence)
    {
        if (_index < _lines.Count)
        {
            var next = _lines[_index];
            if (next.Indent > parentIndent)
            {
                return IsSequenceItem(next) ? ReadSequence(next.Indent, depth) : ReadMapping(next.Indent, next.Start, depth);
            }

            if (compactSequence && next.Indent == parentIndent && IsSequenceItem(next))
            {
                return ReadSequence(parentIndent, depth);
            }
        }

        if (!CountNode())
        {
            return false;
        }

        _writer.WriteNullValue();
        return true;
    }

    /// <summary>Whether the text at <paramref name="start"/> looks like <c>key: ...</c> (checked in full by <see cref="TryReadKey"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool StartsMappingEntry(int start, int end)
    {
        var c = _text[start];
        if (c is '"' or '\'')
        {
            var close = _text.IndexOf(c, start + 1, end - start - 1);
            if (close < 0)
            {
                return false;
            }

            var after = SkipSpaces(close + 1, end);
            return after < end && _text[after] == ':';
        }

        if (c is '[' or '{')
        {
            return false;
        }

        for (var i = start; i < end; i++)
        {
            if (_text[i] == ':' && (i + 1 == end || _text[i + 1] == ' '))
            {
                return true;
            }

            if (_text[i] == '#' && _text[i - 1] == ' ')
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// A key ended by <paramref name="separator"/> and a space (or the end of the line): plain or quoted, on one line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadKey(int start, int end, char separator, out string key, out int afterSeparator)
    {
        key = string.Empty;
        afterSeparator = 0;
        var c = _text[start];
        int colon;
        if (c is '"' or '\'')
        {
            if (!TryReadQuoted(start, end, out key, out var afterQuote))
            {
                return false;
            }

            colon = SkipSpaces(afterQuote, end);
            if (colon == end || _text[colon] != separator)
            {
                return false;
            }
        }
        else
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/'))
            {
                return false;
            }

            colon = -1;
            for (var i = start + 1; i < end; i++)
            {
                var k = _text[i];
                if (k == separator && (i + 1 == end || _text[i + 1] == ' '))
                {
                    colon = i;
                    break;
                }

                if (k is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or '\\')
                {
                    return false;
                }
            }

            if (colon < 0 || colon - start > 1000)
            {
                return false;
            }

            key = _text.AsSpan(start, colon - start).TrimEnd(' ').ToString();
        }

        if (colon + 1 < end && _text[colon + 1] != ' ')
        {
            return false;
        }

        afterSeparator = colon + 1;
        return true;
    }

    /// <summary>A value that starts at <paramref name="start"/> and ends on this line (its comment aside).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadLineValue(int start, int end, int depth)
    {
        var c = _text[start];
        int after;
        if (c is '"' or '\'')
        {
            if (!TryReadQuoted(start, end, out var value, out after) || !CountNode())
            {
                return false;
            }

            _writer.WriteStringValue(value);
        }
        else if (c is '[' or '{')
        {
            after = start;
            if (!ReadFlow(ref after, end, depth))
            {
                return false;
            }
        }
        else
        {
            var valueEnd = end;
            for (var i = start + 1; i < end; i++)
            {
                if (_text[i] == '#' && _text[i - 1] == ' ')
                {
                    valueEnd = i;
                    break;
                }
            }

            var text = _text.AsSpan(start, valueEnd - start).TrimEnd(' ');
            if (!IsPlainStart(text) || text[^1] == ':' || text.Contains(": ", StringComparison.Ordinal) || text.ContainsAny("[]{}"))
            {
                return false;
            }

            return WritePlain(text);
        }

        return RestIsComment(after, end);
    }

    /// <summary>A flow sequence or mapping that opens at <paramref name="position"/> and closes on the same line.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadFlow(ref int position, int end, int depth)
    {
        if (depth >= MaxDepth || !CountNode())
        {
            return false;
        }

        var mapping = _text[position] == '{';
        var close = mapping ? '}' : ']';
        List<string>? keys = null;
        if (mapping)
        {
            keys = KeysAt(depth);
            _writer.WriteStartObject();
        }
        else
        {
            _writer.WriteStartArray();
        }

        position = SkipSpaces(position + 1, end);
        if (position < end && _text[position] == close)
        {
            position++;
            EndFlow(mapping);
            return true;
        }

        while (true)
        {
            if (position == end)
            {
                return false;
            }

            if (keys is not null)
            {
                if (!TryReadFlowKey(position, end, out var key, out var afterColon) || ContainsKey(keys, key))
                {
                    return false;
                }

                keys.Add(key);
                _writer.WritePropertyName(key);
                position = SkipSpaces(afterColon, end);
                if (position == end)
                {
                    return false;
                }
            }

            if (!ReadFlowValue(ref position, end, depth + 1))
            {
                return false;
            }

            position = SkipSpaces(position, end);
            if (position == end)
            {
                return false;
            }

            if (_text[position] == close)
            {
                position++;
                break;
            }

            if (_text[position] != ',')
            {
                return false;
            }

            position = SkipSpaces(position + 1, end);
            if (position == end || _text[position] is ']' or '}' or ',')
            {
                return false; // a trailing or doubled comma
            }
        }

        EndFlow(mapping);
        return true;
    }

    private void EndFlow(bool mapping)
    {
        if (mapping)
        {
            _writer.WriteEndObject();
        }
        else
        {
            _writer.WriteEndArray();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadFlowKey(int start, int end, out string key, out int afterColon)
    {
        key = string.Empty;
        afterColon = 0;
        var c = _text[start];
        if (c is '"' or '\'')
        {
            return TryReadKey(start, end, ':', out key, out afterColon);
        }

        if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/'))
        {
            return false;
        }

        for (var i = start + 1; i < end; i++)
        {
            var k = _text[i];
            if (k == ':')
            {
                if (i + 1 == end || _text[i + 1] != ' ')
                {
                    return false;
                }

                key = _text.AsSpan(start, i - start).TrimEnd(' ').ToString();
                afterColon = i + 1;
                return true;
            }

            if (k is '#' or ',' or '[' or ']' or '{' or '}' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or '\\' or '?')
            {
                return false;
            }
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ReadFlowValue(ref int position, int end, int depth)
    {
        var c = _text[position];
        if (c is '[' or '{')
        {
            return ReadFlow(ref position, end, depth);
        }

        if (c is '"' or '\'')
        {
            if (!TryReadQuoted(position, end, out var value, out var after) || !CountNode())
            {
                return false;
            }

            _writer.WriteStringValue(value);
            position = after;
            return true;
        }

        var start = position;
        while (position < end && _text[position] is not (',' or ']' or '}'))
        {
            var k = _text[position];
            if (k is ':' or '[' or '{' or '#' or '?')
            {
                return false;
            }

            position++;
        }

        var text = _text.AsSpan(start, position - start).TrimEnd(' ');
        return text.Length > 0 && IsPlainStart(text) && WritePlain(text);
    }

    /// <summary>A quoted scalar closed on this line: single-quoted (<c>''</c> is a quote) or double-quoted without escapes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryReadQuoted(int start, int end, out string value, out int after)
    {
        value = string.Empty;
        after = 0;
        var quote = _text[start];
        var i = start + 1;
        var escapedQuotes = false;
        while (true)
        {
            var close = _text.IndexOf(quote, i, end - i);
            if (close < 0)
            {
                return false;
            }

            if (quote == '"')
            {
                if (_text.AsSpan(start + 1, close - start - 1).Contains('\\'))
                {
                    return false;
                }

                value = _text.Substring(start + 1, close - start - 1);
                after = close + 1;
                return true;
            }

            if (close + 1 < end && _text[close + 1] == '\'')
            {
                escapedQuotes = true;
                i = close + 2;
                continue;
            }

            value = _text.Substring(start + 1, close - start - 1);
            if (escapedQuotes)
            {
                value = value.Replace("''", "'", StringComparison.Ordinal);
            }

            after = close + 1;
            return true;
        }
    }

    /// <summary>Whether a plain scalar may start so: not with an indicator, except <c>-</c> before a non-space.</summary>
    private static bool IsPlainStart(ReadOnlySpan<char> text)
    {
        var c = text[0];
        if (c == '-')
        {
            return text.Length > 1 && text[1] != ' ';
        }

        return c is not ('?' or ':' or ',' or '[' or ']' or '{' or '}' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`');
    }

    /// <summary>A plain scalar, resolved as the full path resolves it (<see cref="YamlScalarResolver.ResolvePlain"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool WritePlain(ReadOnlySpan<char> text)
    {
        if (!CountNode())
        {
            return false;
        }

        if (text[0] is not ('~' or 'n' or 'N' or 't' or 'T' or 'f' or 'F' or '.' or '+' or '-' or (>= '0' and <= '9')))
        {
            _writer.WriteStringValue(text); // what ResolvePlain makes of every other first character
            return true;
        }

        JsonNode? node;
        try
        {
            node = YamlScalarResolver.ResolvePlain(text.ToString(), Mark.Empty);
        }
        catch (YamlConversionException)
        {
            return false; // .inf, .nan, a float out of range: the full path reports it
        }

        if (node is null)
        {
            _writer.WriteNullValue();
        }
        else
        {
            node.WriteTo(_writer);
        }

        return true;
    }

    /// <summary>After a value: nothing, or a comment after at least one space.</summary>
    private bool RestIsComment(int position, int end)
    {
        var next = SkipSpaces(position, end);
        return next == end || (_text[next] == '#' && next > position);
    }

    private int SkipSpaces(int position, int end)
    {
        while (position < end && _text[position] == ' ')
        {
            position++;
        }

        return position;
    }

    private List<string> KeysAt(int depth)
    {
        while (_keys.Count <= depth)
        {
            _keys.Add([]);
        }

        var keys = _keys[depth];
        keys.Clear();
        return keys;
    }

    private static bool ContainsKey(List<string> keys, string key)
    {
        if (keys.Count >= MaxKeys)
        {
            return true; // not a duplicate, but too many to check this way: the full path reads it
        }

        foreach (var existing in keys)
        {
            if (string.Equals(existing, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A line with content: <paramref name="Start"/> is its first non-space character, <paramref name="End"/> its end (without line break).</summary>
    private readonly record struct Line(int Start, int End, int Indent, int Number);
}
