using System.Text;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>Mutators on raw bytes: truncation, flipped bytes, invalid UTF-8, NULs, and encodings with byte-order marks.</summary>
internal static class ByteMutators
{
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xFE], [0x80], [0xC0, 0xAF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE0, 0x80, 0xAF], [0xC2],
    ];

    public static IReadOnlyList<Mutator> All { get; } =
    [
        new("truncate", MutationStage.Bytes, Truncate),
        new("flip-bytes", MutationStage.Bytes, FlipBytes),
        new("invalid-utf8", MutationStage.Bytes, InsertInvalidUtf8),
        new("insert-nul", MutationStage.Bytes, InsertNul),
        new("encoding", MutationStage.Encoding, ReEncode),
    ];

    private static Mutated? Truncate(Random random, byte[] bytes, InputFormat format)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        // Offsets near both ends matter most (an empty file, a cut last line), so half are picked there.
        var at = random.Next(2) == 0 ? random.Next(bytes.Length) : random.Next(2) == 0 ? random.Next(Math.Min(8, bytes.Length)) : bytes.Length - 1 - random.Next(Math.Min(8, bytes.Length));
        return new Mutated(bytes[..at], $"cut at byte {at} of {bytes.Length}");
    }

    private static Mutated? FlipBytes(Random random, byte[] bytes, InputFormat format)
    {
        if (bytes.Length == 0)
        {
            return null;
        }

        var copy = (byte[])bytes.Clone();
        var count = random.Next(1, 9);
        var offsets = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var at = random.Next(copy.Length);
            copy[at] ^= (byte)random.Next(1, 256);
            offsets.Add(at);
        }

        return new Mutated(copy, "bytes changed at " + string.Join(", ", offsets));
    }

    private static Mutated? InsertInvalidUtf8(Random random, byte[] bytes, InputFormat format)
    {
        var sequence = InvalidUtf8[random.Next(InvalidUtf8.Length)];
        var at = random.Next(bytes.Length + 1);
        return new Mutated([.. bytes[..at], .. sequence, .. bytes[at..]], $"{Convert.ToHexString(sequence)} at byte {at}");
    }

    private static Mutated? InsertNul(Random random, byte[] bytes, InputFormat format)
    {
        var count = random.Next(1, 4);
        var at = random.Next(bytes.Length + 1);
        return new Mutated([.. bytes[..at], .. new byte[count], .. bytes[at..]], $"{count} NUL byte(s) at {at}");
    }

    private static Mutated? ReEncode(Random random, byte[] bytes, InputFormat format)
    {
        var text = Encoding.UTF8.GetString(bytes);
        return random.Next(8) switch
        {
            0 => new Mutated([0xEF, 0xBB, 0xBF, .. bytes], "UTF-8 byte-order mark"),
            1 => new Mutated([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. bytes], "two UTF-8 byte-order marks"),
            2 => new Mutated([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)], "UTF-16 LE with byte-order mark"),
            3 => new Mutated([.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)], "UTF-16 BE with byte-order mark"),
            4 => new Mutated(Encoding.Unicode.GetBytes(text), "UTF-16 LE without byte-order mark"),
            5 => new Mutated([.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(text)], "UTF-32 LE with byte-order mark"),
            6 => new Mutated([0xFF, 0xFE, .. bytes], "UTF-16 LE byte-order mark before UTF-8 text"),
            _ => new Mutated([.. bytes, 0xEF, 0xBB, 0xBF], "UTF-8 byte-order mark at the end"),
        };
    }
}
