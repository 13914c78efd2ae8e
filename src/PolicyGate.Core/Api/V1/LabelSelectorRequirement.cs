namespace PolicyGate.Core.Api.V1;

/// <summary>One <c>matchExpressions</c> entry: operator In, NotIn, Exists or DoesNotExist.</summary>
public sealed record LabelSelectorRequirement(string Key, string Operator, IReadOnlyList<string> Values)
{
    public const string In = "In";
    public const string NotIn = "NotIn";
    public const string Exists = "Exists";
    public const string DoesNotExist = "DoesNotExist";
}
