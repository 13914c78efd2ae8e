using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// One case of a suite: the request (a manifest with its operation, old object, user and namespace labels, or a
/// whole AdmissionReview), settings overrides for this case only, and what the answer must be.
/// </summary>
/// <param name="Field">Where the case is in the suite (<c>cases[3]</c>), for errors.</param>
/// <param name="Object">The manifest (CREATE and UPDATE: the new object; DELETE: the object deleted); null with a review.</param>
/// <param name="OldObject">The old object of an UPDATE; null means the object itself (nothing changed).</param>
/// <param name="Review">A whole AdmissionReview, as JSON; null with a manifest.</param>
/// <param name="UserInfo">Who sends the request; null for the dry-run user.</param>
/// <param name="Settings">Merged over the settings of every policy under test, for this case only.</param>
/// <param name="Mutating">Replaces spec.mutating of every policy under test, for this case only.</param>
internal sealed record TestCase(
    string Name,
    string Field,
    JsonObject? Object,
    JsonObject? OldObject,
    JsonObject? Review,
    string Operation,
    IReadOnlyDictionary<string, string>? NamespaceLabels,
    UserInfo? UserInfo,
    JsonObject? Settings,
    bool? Mutating,
    TestExpectation Expect);
