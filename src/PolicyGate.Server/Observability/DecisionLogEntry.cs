using System.Collections;
using System.Globalization;
using System.Text.Json;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Server.Observability;

/// <summary>
/// A log record that writes itself as JSON: its message straight into a character buffer and its fields straight into
/// the writer, without the boxing and the message string of the generic path. <see cref="JsonLinesLoggerProvider"/>
/// takes this path; every other logger provider sees an ordinary structured state (key/value pairs and a message).
/// </summary>
internal interface IJsonLogState
{
    /// <summary>Writes the message into <paramref name="destination"/>; false when it does not fit.</summary>
    bool TryFormatMessage(Span<char> destination, out int written);

    /// <summary>Writes the record's fields as properties of the current JSON object.</summary>
    void WriteFields(Utf8JsonWriter writer);
}

/// <summary>
/// The state of the decision line (event 1010): one line per admission request, with the request's outcome and the
/// policies' decisions on it. <see cref="Listed"/> holds the decisions the line names (with <c>--decision-log changes</c>
/// the ones that changed or questioned the request; with <c>all</c> every one); the plain allows it leaves out are counted.
/// </summary>
internal sealed class DecisionLogEntry(
    string outcome, string admissionUid, string operation, string kind, string? @namespace, string? name, double latencyMs,
    IReadOnlyList<PolicyDecision> listed, int unlisted)
    : IReadOnlyList<KeyValuePair<string, object?>>, IJsonLogState
{
    public const string Template = "Request {AdmissionUid} {Operation} {Kind} {Namespace}/{Name} {Outcome} in {LatencyMs:F3} ms: {Decisions}";

    /// <summary>The decisions the line names, in the order the policies ran.</summary>
    public IReadOnlyList<PolicyDecision> Listed => listed;

    public int Count => 9;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Outcome", outcome),
        1 => new("AdmissionUid", admissionUid),
        2 => new("Operation", operation),
        3 => new("Kind", kind),
        4 => new("Namespace", @namespace),
        5 => new("Name", name),
        6 => new("LatencyMs", latencyMs),
        7 => new("Decisions", DecisionsText()),
        8 => new("{OriginalFormat}", Template),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public static string Format(DecisionLogEntry entry, Exception? exception) => entry.ToString();

    public bool TryFormatMessage(Span<char> destination, out int written)
    {
        written = 0;
        if (!destination.TryWrite(CultureInfo.InvariantCulture, $"Request {admissionUid} {operation} {kind} {@namespace}/{name} {outcome} in {latencyMs:F3} ms: ", out var head)
            || !TryFormatDecisions(destination[head..], out var tail))
        {
            return false;
        }

        written = head + tail;
        return true;
    }

    public void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteString("Outcome"u8, outcome);
        writer.WriteString("AdmissionUid"u8, admissionUid);
        writer.WriteString("Operation"u8, operation);
        writer.WriteString("Kind"u8, kind);
        writer.WriteString("Namespace"u8, @namespace);
        writer.WriteString("Name"u8, name);
        writer.WriteNumber("LatencyMs"u8, latencyMs);
        writer.WriteStartArray("Decisions"u8);
        foreach (var decision in listed)
        {
            writer.WriteStartObject();
            writer.WriteString("PolicyName"u8, decision.Policy);
            writer.WriteString("Decision"u8, decision.Label);
            writer.WriteNumber("LatencyMs"u8, decision.Elapsed.TotalMilliseconds);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("OtherAllowed"u8, unlisted);
    }

    /// <summary>"team-label denied in 0.250 ms; limits mutated in 0.100 ms; 2 more allowed", or "no policy matched".</summary>
    private bool TryFormatDecisions(Span<char> destination, out int written)
    {
        written = 0;
        if (listed.Count == 0 && unlisted == 0)
        {
            const string none = "no policy matched";
            if (!none.TryCopyTo(destination))
            {
                return false;
            }

            written = none.Length;
            return true;
        }

        for (var i = 0; i < listed.Count; i++)
        {
            var decision = listed[i];
            if (!destination[written..].TryWrite(CultureInfo.InvariantCulture, $"{(i > 0 ? "; " : "")}{decision.Policy} {decision.Label} in {decision.Elapsed.TotalMilliseconds:F3} ms", out var part))
            {
                return false;
            }

            written += part;
        }

        if (unlisted > 0)
        {
            if (!destination[written..].TryWrite(CultureInfo.InvariantCulture, $"{(listed.Count > 0 ? "; " : "")}{unlisted} {(listed.Count > 0 ? "more " : "")}allowed", out var part))
            {
                return false;
            }

            written += part;
        }

        return true;
    }

    private delegate bool Formatter(Span<char> destination, out int written);

    private string DecisionsText() => Format(TryFormatDecisions);

    public override string ToString() => Format(TryFormatMessage);

    /// <summary>What <paramref name="format"/> writes, in a buffer doubled until it fits.</summary>
    private static string Format(Formatter format)
    {
        for (var size = 256; ; size *= 2)
        {
            var buffer = new char[size];
            if (format(buffer, out var written))
            {
                return new string(buffer, 0, written);
            }
        }
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
