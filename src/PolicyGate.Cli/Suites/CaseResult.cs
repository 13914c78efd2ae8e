using System.Text.Json.Nodes;

namespace PolicyGate.Cli.Suites;

/// <summary>The outcome of one case.</summary>
/// <param name="Actual">The answer the policies gave (<c>allowed</c>, <c>message</c>, <c>warnings</c>, <c>patch</c>), when the case ran.</param>
/// <param name="Error">Why the case could not run (<see cref="CaseStatus.Error"/>).</param>
internal sealed record CaseResult(string Name, CaseStatus Status, IReadOnlyList<CaseMismatch> Mismatches, JsonObject? Actual, SuiteError? Error, TimeSpan Elapsed);
