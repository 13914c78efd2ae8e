namespace PolicyGate.Core.Manifests;

/// <summary>A file or document that could not be loaded.</summary>
/// <param name="Source">The file (for unreadable files and missing paths) or the document, named as in <see cref="ManifestDocument.Source"/>.</param>
/// <param name="Message">What is wrong; syntax errors give the line and column.</param>
public sealed record ManifestError(string Source, string Message);
