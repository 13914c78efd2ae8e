using System.Buffers.Binary;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// The wire between the server and a worker process: frames of a 4-byte little-endian length and that many bytes of
/// JSON, over the worker's standard input and output. Each side bounds what it reads: the worker is untrusted, and a
/// frame larger than the reader's limit ends the conversation instead of being buffered.
/// </summary>
internal static class WorkerFrames
{
    /// <summary>The largest frame the server reads from a worker: an answer with a 3 MiB object and 256 KiB of text fits.</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    /// <summary>The largest frame a worker reads from the server: a 3 MiB request (twice, as object and old object) or a policy's code.</summary>
    public const int MaxRequestBytes = 16 * 1024 * 1024;

    /// <summary>Writes one frame in one write: a reader woken by its length alone would only go back to sleep for the rest.</summary>
    public static void Write(Stream output, ReadOnlySpan<byte> payload)
    {
        var frame = System.Buffers.ArrayPool<byte>.Shared.Rent(payload.Length + 4);
        try
        {
            BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
            payload.CopyTo(frame.AsSpan(4));
            output.Write(frame, 0, payload.Length + 4);
            output.Flush();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>The next frame, or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">The frame is longer than <paramref name="maxLength"/>, or the stream ends inside it.</exception>
    public static byte[]? Read(Stream input, int maxLength)
    {
        Span<byte> header = stackalloc byte[4];
        var read = ReadFully(input, header);
        if (read == 0)
        {
            return null;
        }

        if (read < header.Length)
        {
            throw new InvalidDataException("the stream ended inside a frame header");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0 || length > maxLength)
        {
            throw new InvalidDataException($"a frame of {length} bytes is over the limit of {maxLength}");
        }

        var payload = new byte[length];
        if (ReadFully(input, payload) < length)
        {
            throw new InvalidDataException("the stream ended inside a frame");
        }

        return payload;
    }

    private static int ReadFully(Stream input, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = input.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
