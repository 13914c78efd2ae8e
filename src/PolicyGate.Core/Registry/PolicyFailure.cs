namespace PolicyGate.Core.Registry;

/// <summary>A policy (or a whole source, by its path) that failed to load in a reload.</summary>
public sealed record PolicyFailure(string Name, string Source, string Error);
