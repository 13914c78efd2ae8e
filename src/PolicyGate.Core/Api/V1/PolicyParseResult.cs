namespace PolicyGate.Core.Api.V1;

/// <summary>A parsed policy, or every problem found in it (field paths included).</summary>
public sealed record PolicyParseResult(PolicyResource? Policy, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Policy is not null && Errors.Count == 0;
}
