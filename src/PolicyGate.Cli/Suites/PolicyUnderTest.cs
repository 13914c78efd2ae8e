using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Suites;

/// <summary>One entry of a suite's <c>policies</c>: a policy file, which of its policies, and what the suite overrides.</summary>
/// <param name="Path">The policy file, resolved against the suite's folder.</param>
/// <param name="Names">The policies of the file under test (metadata.name); empty for all of them.</param>
/// <param name="Settings">Merged over each policy's spec.settings: each key given replaces the policy's own.</param>
/// <param name="Mutating">Replaces spec.mutating when set.</param>
/// <param name="Field">Where the entry is in the suite (<c>policies[0]</c>), for errors.</param>
internal sealed record PolicyUnderTest(string Path, IReadOnlyList<string> Names, JsonObject? Settings, bool? Mutating, string Field);
