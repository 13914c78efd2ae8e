namespace PolicyGate.Core.Serialization;

/// <summary>A slice of a YAML stream that starts at a document marker and is parsed on its own.</summary>
/// <param name="Start">Offset of the slice in the text.</param>
/// <param name="Length">Length of the slice.</param>
/// <param name="FirstLine">1-based line of the slice's first character in the whole text.</param>
internal readonly record struct YamlChunk(int Start, int Length, int FirstLine);
