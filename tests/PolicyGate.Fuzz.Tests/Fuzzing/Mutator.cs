namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// One named way to damage an input. <see cref="Apply"/> returns the new bytes and a short description of what it did
/// (for the failure message), or null when it does not apply to this input (no such field, not YAML, ...).
/// </summary>
/// <param name="Heavy">Makes a large or deep input: a case chains at most one heavy mutator.</param>
internal sealed record Mutator(string Name, MutationStage Stage, Func<Random, byte[], InputFormat, Mutated?> Apply, bool Heavy = false);

/// <summary>The result of one mutator: the bytes and what was done to them.</summary>
internal sealed record Mutated(byte[] Bytes, string Detail);

/// <summary>
/// Mutators run in stage order: the document tree first (it needs text that parses), then the text, then raw bytes,
/// and the encoding (byte-order marks, UTF-16) last.
/// </summary>
internal enum MutationStage
{
    Tree,
    Text,
    Bytes,
    Encoding,
}

internal enum InputFormat
{
    Yaml,
    Json,
}
