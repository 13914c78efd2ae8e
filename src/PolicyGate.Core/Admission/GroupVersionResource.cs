namespace PolicyGate.Core.Admission;

public sealed class GroupVersionResource
{
    public string Group { get; set; } = "";

    public string Version { get; set; } = "";

    public string Resource { get; set; } = "";

    public override string ToString() => Group.Length == 0 ? $"{Version}/{Resource}" : $"{Group}/{Version}/{Resource}";
}
