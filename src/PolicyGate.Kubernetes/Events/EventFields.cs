using System.Security.Cryptography;
using System.Text;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Kubernetes.Events;

/// <summary>The API server's limits on Event fields, applied before a write so an over-long note does not cost the
/// whole Event, and the names the recorder gives Events.</summary>
internal static class EventFields
{
    /// <summary>The longest note the API server accepts, in UTF-8 bytes (<c>NoteLengthLimit</c> in
    /// <c>k8s.io/kubernetes/pkg/apis/core/validation/events.go</c>).</summary>
    public const int MaxNoteBytes = 1024;

    private const int SuffixLength = 16;

    /// <summary>The longest prefix of <paramref name="note"/> that fits in <see cref="MaxNoteBytes"/> UTF-8 bytes,
    /// never cutting a character (or surrogate pair) in two.</summary>
    public static string TruncateNote(string note)
    {
        if (Encoding.UTF8.GetByteCount(note) <= MaxNoteBytes)
        {
            return note;
        }

        var bytes = 0;
        var length = 0;
        while (length < note.Length)
        {
            var width = char.IsHighSurrogate(note[length]) && length + 1 < note.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(note.AsSpan(length, width));
            if (bytes + size > MaxNoteBytes)
            {
                break;
            }

            bytes += size;
            length += width;
        }

        return note[..length];
    }

    /// <summary>A fresh Event name, <c>&lt;regarding name&gt;.&lt;16 random hex digits&gt;</c> as client-go names
    /// them (it uses a timestamp), so <c>kubectl get events</c> sorts them next to their object. The regarding name is
    /// lower-cased, characters a DNS subdomain does not allow become '-', and it is cut to keep the whole name
    /// within 253 characters.</summary>
    public static string NewName(string regardingName)
    {
        var prefix = new StringBuilder(regardingName.Length);
        foreach (var c in regardingName.ToLowerInvariant())
        {
            prefix.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '.' || c == '-' ? c : '-');
        }

        var maxPrefix = KubernetesNames.MaxSubdomainLength - SuffixLength - 1;
        var cleaned = prefix.ToString(0, Math.Min(prefix.Length, maxPrefix)).Trim('-', '.');
        var suffix = RandomNumberGenerator.GetHexString(SuffixLength, lowercase: true);
        return cleaned.Length == 0 || !KubernetesNames.IsDnsSubdomain(cleaned) ? $"event.{suffix}" : $"{cleaned}.{suffix}";
    }
}
