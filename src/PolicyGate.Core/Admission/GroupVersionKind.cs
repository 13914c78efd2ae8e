namespace PolicyGate.Core.Admission;

public sealed class GroupVersionKind
{
    public string Group { get; set; } = "";

    public string Version { get; set; } = "";

    public string Kind { get; set; } = "";

    public override string ToString() => Group.Length == 0 ? $"{Version}/{Kind}" : $"{Group}/{Version}/{Kind}";
}
