using System.Collections;
using System.Globalization;
using System.Text.Json;

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

/// <summary>The state of the per-decision log line (event 1010): one line for each policy's decision on a request.</summary>
internal sealed class DecisionLogEntry(
    string decision, string policyName, string admissionUid, string operation, string kind, string? @namespace, string? name, double latencyMs)
    : IReadOnlyList<KeyValuePair<string, object?>>, IJsonLogState
{
    public const string Template = "Decision {Decision} by {PolicyName} for {AdmissionUid} {Operation} {Kind} {Namespace}/{Name} in {LatencyMs:F3} ms";

    public int Count => 9;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Decision", decision),
        1 => new("PolicyName", policyName),
        2 => new("AdmissionUid", admissionUid),
        3 => new("Operation", operation),
        4 => new("Kind", kind),
        5 => new("Namespace", @namespace),
        6 => new("Name", name),
        7 => new("LatencyMs", latencyMs),
        8 => new("{OriginalFormat}", Template),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public static string Format(DecisionLogEntry entry, Exception? exception) => entry.ToString();

    public bool TryFormatMessage(Span<char> destination, out int written) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"Decision {decision} by {policyName} for {admissionUid} {operation} {kind} {@namespace}/{name} in {latencyMs:F3} ms", out written);

    public void WriteFields(Utf8JsonWriter writer)
    {
        writer.WriteString("Decision"u8, decision);
        writer.WriteString("PolicyName"u8, policyName);
        writer.WriteString("AdmissionUid"u8, admissionUid);
        writer.WriteString("Operation"u8, operation);
        writer.WriteString("Kind"u8, kind);
        writer.WriteString("Namespace"u8, @namespace);
        writer.WriteString("Name"u8, name);
        writer.WriteNumber("LatencyMs"u8, latencyMs);
    }

    public override string ToString()
    {
        for (var size = 256; ; size *= 2)
        {
            var buffer = new char[size];
            if (TryFormatMessage(buffer, out var written))
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
