namespace PolicyGate.Core.Admission;

public sealed class GroupVersionResource
{
    public string Group { get; init; } = "";

    public string Version { get; init; } = "";

    public string Resource { get; init; } = "";

    public override string ToString() => Group.Length == 0 ? $"{Version}/{Resource}" : $"{Group}/{Version}/{Resource}";
}
