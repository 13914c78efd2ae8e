using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// Turns the JSON a script hands back into plain data, inside the script's budget: written out (which runs any of the
/// script's own types a <see cref="JsonValue"/> holds, under the budget's checks) into a buffer that refuses to grow past
/// <see cref="PolicyOutputLimits.MaxObjectBytes"/>, as deep as <see cref="PolicyOutputLimits.MaxObjectDepth"/>, then read
/// back. What the host keeps holds no script object, and every later walk over it (diff, patch, answer) is bounded.
/// </summary>
internal static class PlainJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { MaxDepth = PolicyOutputLimits.MaxObjectDepth, SkipValidation = false };

    private static readonly JsonDocumentOptions ReadOptions = new() { MaxDepth = PolicyOutputLimits.MaxObjectDepth };

    /// <exception cref="PolicyOutputException">The node is larger or deeper than the limits.</exception>
    public static JsonNode Copy(JsonNode node)
    {
        var buffer = new BoundedBuffer(PolicyOutputLimits.MaxObjectBytes);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                node.WriteTo(writer);
            }
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            throw new PolicyOutputException($"the mutated object is nested deeper than {PolicyOutputLimits.MaxObjectDepth} levels");
        }

        return JsonNode.Parse(buffer.WrittenSpan, nodeOptions: null, ReadOptions)
            ?? throw new PolicyOutputException("the mutated object is JSON null");
    }

    /// <summary>An <see cref="IBufferWriter{T}"/> that throws instead of growing past its limit.</summary>
    private sealed class BoundedBuffer(int limit) : IBufferWriter<byte>
    {
        private byte[] _buffer = new byte[4096];
        private int _written;

        public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_written);

        public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_written);

        private byte[] Reserve(int sizeHint)
        {
            var needed = (long)_written + Math.Max(sizeHint, 1);
            if (needed > limit)
            {
                throw new PolicyOutputException($"the mutated object is larger than {limit / (1024 * 1024)} MiB of JSON");
            }

            if (needed > _buffer.Length)
            {
                Array.Resize(ref _buffer, (int)Math.Min(limit, Math.Max(needed, (long)_buffer.Length * 2)));
            }

            return _buffer;
        }
    }
}
