using System.Text.Json.Nodes;

namespace PolicyGate.Core.Serialization;

/// <summary>An anchored YAML node: its converted value, its node count and, for scalars, its text (usable as a key).</summary>
internal sealed record YamlAnchor(JsonNode? Node, int Size, string? ScalarText);
