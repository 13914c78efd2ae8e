using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyGate.Cli.WebhookConfig;

/// <summary>
/// Writes JSON documents as block-style YAML, the way kubectl prints objects. A string is written plain only when
/// every YAML reader, YAML 1.1 ones included, reads it back as that string; otherwise it is double-quoted.
/// </summary>
internal static class YamlWriter
{
    /// <summary>Plain scalars a YAML 1.1 or 1.2 reader would take for a boolean or null.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "y", "n", "yes", "no", "on", "off", "true", "false", "null",
    };

    /// <summary>The documents, separated by <c>---</c> lines, ending with a newline.</summary>
    public static string Write(IEnumerable<JsonObject> documents)
    {
        ArgumentNullException.ThrowIfNull(documents);
        using var writer = new StringWriter { NewLine = "\n" };
        var emitter = new Emitter(writer, bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false);
        emitter.Emit(new StreamStart());
        var first = true;
        foreach (var document in documents)
        {
            emitter.Emit(new DocumentStart(null, null, isImplicit: first));
            Node(emitter, document);
            emitter.Emit(new DocumentEnd(isImplicit: true));
            first = false;
        }

        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Node(Emitter emitter, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Block));
                foreach (var (key, value) in obj)
                {
                    String(emitter, key);
                    Node(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            case JsonArray array:
                emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Block));
                foreach (var item in array)
                {
                    Node(emitter, item);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                String(emitter, value.GetValue<string>());
                break;
            case JsonValue value:
                // Numbers, true and false: their JSON text is also their YAML text.
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, value.ToJsonString(), ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
            default:
                emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, "null", ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
                break;
        }
    }

    private static void String(Emitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, IsSafePlain(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted, isPlainImplicit: true, isQuotedImplicit: true));

    /// <summary>
    /// Starts with a letter or '/', holds only letters, digits and <c>. _ - / + =</c> (so no YAML indicator, no
    /// <c>": "</c> and no <c>" #"</c>), and is not a YAML 1.1 boolean or null: a string in every schema.
    /// </summary>
    internal static bool IsSafePlain(string text) =>
        text.Length > 0 &&
        (char.IsAsciiLetter(text[0]) || text[0] == '/') &&
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or '+' or '=') &&
        !Reserved.Contains(text);
}
