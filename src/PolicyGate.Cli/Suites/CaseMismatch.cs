namespace PolicyGate.Cli.Suites;

/// <summary>One way a case's answer differs from its expectation.</summary>
/// <param name="Field">The expectation not met: <c>allowed</c>, <c>message</c>, <c>warnings</c>, <c>patch</c> or <c>patchedObject</c>.</param>
/// <param name="Summary">One line: what was expected and what came.</param>
/// <param name="Diff">For JSON values, the differences line by line (<c>- expected</c>, <c>+ actual</c>, <c>~ changed</c>).</param>
internal sealed record CaseMismatch(string Field, string Summary, IReadOnlyList<string> Diff)
{
    public override string ToString() => Diff.Count == 0 ? $"{Field}: {Summary}" : $"{Field}: {Summary}\n" + string.Join("\n", Diff.Select(d => "  " + d));
}
