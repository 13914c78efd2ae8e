namespace PolicyGate.Core.Manifests;

/// <summary>One source to load: a file path, text already read (stdin), or an error found while listing paths.</summary>
internal sealed record ManifestInput(string Source, string? FilePath, string? Text, string? Error);
