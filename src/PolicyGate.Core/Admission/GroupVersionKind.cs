namespace PolicyGate.Core.Admission;

public sealed class GroupVersionKind
{
    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string Kind { get; init; } = "";

    public override string ToString() => Group.Length == 0 ? $"{Version}/{Kind}" : $"{Group}/{Version}/{Kind}";
}
