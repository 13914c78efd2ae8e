using System.Text.Json.Nodes;

namespace PolicyGate.Core.Patch;

/// <summary>The <c>value</c> of a patch operation (which may be JSON null), present by construction.</summary>
internal readonly record struct PatchValue(JsonNode? Node)
{
    /// <summary>A detached copy to insert into the document (the patch itself is never changed).</summary>
    public JsonNode? Copy() => Node?.DeepClone();
}
