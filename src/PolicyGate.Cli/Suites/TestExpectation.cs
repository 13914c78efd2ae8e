using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Suites;

/// <summary>What a case's answer must be (a case's <c>expect</c>).</summary>
/// <param name="Allowed">The decision the API server would be told.</param>
/// <param name="Message">Text the denial message must contain (case-sensitive; a substring, not a pattern).</param>
/// <param name="Warnings">Each must be contained in one of the answer's warnings; other warnings are fine.</param>
/// <param name="Patch">The JSON patch of the answer, exactly (<c>[]</c>: no mutation); null when not checked.</param>
/// <param name="PatchedObject">The object once the answer's patch is applied, compared whole; null when not checked.</param>
internal sealed record TestExpectation(bool Allowed, string? Message, IReadOnlyList<string> Warnings, JsonArray? Patch, JsonObject? PatchedObject);
