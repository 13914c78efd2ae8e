namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// What a policy script returns: <c>return Allow();</c>, <c>return Deny("...");</c> or <c>return Mutate(spec);</c>.
/// The decision itself is recorded on the <see cref="PolicyContext"/> as the script calls those methods, so a
/// <c>Deny(...)</c> whose result is dropped still denies, and a script that ends without <c>return</c> allows
/// unless it denied.
/// </summary>
public sealed class PolicyResult
{
    internal static readonly PolicyResult Allowed = new(PolicyResultKind.Allow);
    internal static readonly PolicyResult Denied = new(PolicyResultKind.Deny);
    internal static readonly PolicyResult Mutated = new(PolicyResultKind.Mutate);

    private PolicyResult(PolicyResultKind kind) => Kind = kind;

    public PolicyResultKind Kind { get; }

    public override string ToString() => Kind.ToString();
}
