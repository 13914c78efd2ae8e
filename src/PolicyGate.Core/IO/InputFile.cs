using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace PolicyGate.Core.IO;

/// <summary>
/// Reads a file the user gave (manifest, policy, script module, AdmissionReview, CA bundle), turning every way it can
/// fail into one clear sentence instead of an exception: missing, a folder, unreadable, larger than
/// <see cref="MaxBytes"/> (a device such as <c>/dev/zero</c> never ends), or text that is not UTF-8.
/// </summary>
public static class InputFile
{
    /// <summary>The largest input file read: far above any manifest or policy, and a bound on memory.</summary>
    public const long MaxBytes = 128L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads a text file: UTF-8 (with or without a byte-order mark), or UTF-16/UTF-32 when a byte-order mark says so.
    /// Invalid UTF-8 is an error naming the line and byte, as Kubernetes' YAML decoder refuses it.
    /// </summary>
    public static bool TryReadText(string path, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? error)
    {
        text = null;
        if (!TryReadBytes(path, out var bytes, out error))
        {
            return false;
        }

        return TryDecode(bytes, out text, out error);
    }

    /// <summary>Reads a file's bytes, bounded by <see cref="MaxBytes"/>.</summary>
    public static bool TryReadBytes(string path, [NotNullWhen(true)] out byte[]? bytes, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        bytes = null;
        if (Directory.Exists(path))
        {
            error = "is a folder, not a file";
            return false;
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > MaxBytes)
            {
                error = TooLarge(stream.Length);
                return false;
            }

            // Devices and pipes have no length: read up to one byte past the limit.
            using var buffer = new MemoryStream(stream.CanSeek ? (int)stream.Length : 64 * 1024);
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    error = TooLarge(null);
                    return false;
                }

                buffer.Write(chunk, 0, read);
            }

            bytes = buffer.ToArray();
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            error = "no such file";
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error = $"cannot read file: {ex.Message}";
            return false;
        }
    }

    /// <summary>Decodes bytes as <see cref="TryReadText"/> does (byte-order marks honoured, strict UTF-8 otherwise).</summary>
    public static bool TryDecode(byte[] bytes, [NotNullWhen(true)] out string? text, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        text = null;
        Encoding? bomEncoding = null;
        var preamble = 0;
        if (bytes is [0xEF, 0xBB, 0xBF, ..])
        {
            preamble = 3;
        }
        else if (bytes is [0xFF, 0xFE, 0, 0, ..])
        {
            (bomEncoding, preamble) = (new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4);
        }
        else if (bytes is [0, 0, 0xFE, 0xFF, ..])
        {
            (bomEncoding, preamble) = (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4);
        }
        else if (bytes is [0xFF, 0xFE, ..])
        {
            (bomEncoding, preamble) = (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }
        else if (bytes is [0xFE, 0xFF, ..])
        {
            (bomEncoding, preamble) = (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2);
        }

        try
        {
            text = (bomEncoding ?? StrictUtf8).GetString(bytes, preamble, bytes.Length - preamble);
            error = null;
            return true;
        }
        catch (DecoderFallbackException ex)
        {
            var offset = preamble + Math.Max(0, ex.Index);
            error = bomEncoding is null
                ? $"line {LineAt(bytes, offset)}: not valid UTF-8 (byte 0x{bytes[Math.Min(offset, bytes.Length - 1)]:X2} at offset {offset}); save the file as UTF-8"
                : $"not valid {bomEncoding.WebName} text at offset {offset} (the file starts with that encoding's byte-order mark)";
            return false;
        }
    }

    private static int LineAt(byte[] bytes, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
            }
        }

        return line;
    }

    private static string TooLarge(long? length) =>
        length is { } l
            ? $"file is {l / (1024.0 * 1024):0.#} MiB, larger than the limit of {MaxBytes / (1024 * 1024)} MiB for an input file"
            : $"input is larger than the limit of {MaxBytes / (1024 * 1024)} MiB for an input file";
}
