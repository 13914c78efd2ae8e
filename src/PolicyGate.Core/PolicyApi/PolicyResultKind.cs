namespace PolicyGate.Core.PolicyApi;

public enum PolicyResultKind
{
    Allow,
    Deny,
    Mutate,
}
