namespace PolicyGate.Cli.DryRun;

/// <summary>The object a result is about, and where it was read (<c>file#document</c>).</summary>
internal sealed record DryRunObject(string ApiVersion, string Kind, string? Namespace, string? Name, string Source)
{
    public string Display => Namespace is null ? $"{Kind}/{Name}" : $"{Kind} {Namespace}/{Name}";
}
