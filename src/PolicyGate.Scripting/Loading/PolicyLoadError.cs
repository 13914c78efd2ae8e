namespace PolicyGate.Scripting.Loading;

/// <summary>A policy that could not be loaded: where it is (<c>file#document</c>), its name when known, and why.</summary>
public sealed record PolicyLoadError(string Source, string? Policy, string Message)
{
    public override string ToString() => Policy is null ? $"{Source}: {Message}" : $"{Source}: policy {Policy}: {Message}";
}
