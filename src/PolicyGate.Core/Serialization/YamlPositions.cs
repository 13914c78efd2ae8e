using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// Where each field of a one-document YAML (or JSON) text is written, so that a reader that checks fields on the
/// <see cref="System.Text.Json.Nodes.JsonNode"/> from <see cref="YamlJson"/> can report them with a line and column.
/// </summary>
/// <remarks>
/// Paths are written the way field errors name them: <c>cases[2].expect.allowed</c> (the root is the empty path). A
/// mapping entry is located at its key, a sequence item at its first character. Only the first document is indexed;
/// text that does not parse gives the positions read before the error (<see cref="YamlJson"/> reports the error).
/// </remarks>
internal sealed class YamlPositions
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    private YamlPositions()
    {
    }

    public static YamlPositions Index(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var positions = new YamlPositions();
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<DocumentStart>(out _))
            {
                positions.Read(parser, "");
            }
        }
        catch (YamlException)
        {
            // What was read before the error keeps its positions; the error itself is YamlJson's to report.
        }

        return positions;
    }

    /// <summary>The position of <paramref name="path"/>, or of its nearest enclosing field that has one.</summary>
    public (int Line, int Column)? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        for (var current = path; ; current = Parent(current))
        {
            if (_positions.TryGetValue(current, out var position))
            {
                return position;
            }

            if (current.Length == 0)
            {
                return null;
            }
        }
    }

    /// <summary><c>a.b[1].c</c> → <c>a.b[1]</c> → <c>a.b</c> → <c>a</c> → the root.</summary>
    private static string Parent(string path)
    {
        var cut = path.LastIndexOfAny(['.', '[']);
        return cut < 0 ? "" : path[..cut];
    }

    private void Record(string path, Mark mark) =>
        _positions.TryAdd(path, ((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column)));

    private void Read(IParser parser, string path)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        Record(path, current.Start);
        switch (current)
        {
            case MappingStart:
                parser.MoveNext();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (parser.Current is Scalar key)
                    {
                        var child = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
                        Record(child, key.Start);
                        parser.MoveNext();
                        Read(parser, child);
                    }
                    else
                    {
                        // A complex key names no field: read past it and its value.
                        Read(parser, path + ".?");
                        Read(parser, path + ".?");
                    }
                }

                break;
            case SequenceStart:
                parser.MoveNext();
                for (var index = 0; !parser.TryConsume<SequenceEnd>(out _); index++)
                {
                    Read(parser, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                }

                break;
            default:
                parser.MoveNext(); // a scalar or an alias
                break;
        }
    }
}
