namespace PolicyGate.Core.Manifests;

/// <summary>The objects and the errors of a load, each in input order.</summary>
public sealed record ManifestLoadResult(IReadOnlyList<ManifestDocument> Documents, IReadOnlyList<ManifestError> Errors)
{
    /// <summary>Whether nothing went wrong.</summary>
    public bool Succeeded => Errors.Count == 0;
}
