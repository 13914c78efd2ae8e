namespace PolicyGate.Cli.Suites;

/// <summary>A parsed <c>kind: PolicyTest</c> suite: the policies under test and the cases to run against them.</summary>
/// <param name="File">The suite file, as found (relative paths stay relative).</param>
/// <param name="Name">metadata.name, else the file name without <c>.test.yaml</c>.</param>
/// <param name="Locate">Turns a field of the suite (<c>policies[1].names[0]</c>) into an error at its line and column.</param>
internal sealed record TestSuite(
    string File,
    string Name,
    IReadOnlyList<PolicyUnderTest> Policies,
    IReadOnlyList<TestCase> Cases,
    SuiteLocator Locate);
