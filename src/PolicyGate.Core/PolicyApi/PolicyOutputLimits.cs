namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// How much one evaluation may hand back to the host, counted in bytes (not references: 400 warnings that are the
/// same 16 MB string are 6.4 GB of answer, not 400 references). Sized to what the API server itself accepts.
/// </summary>
public static class PolicyOutputLimits
{
    /// <summary>
    /// Denial messages, warnings and audit annotations together (UTF-16 bytes): far more than the API server shows
    /// (it truncates warnings over 256 characters and caps them at 4 KiB in all), far less than would hurt the host.
    /// </summary>
    public const int MaxTextBytes = 256 * 1024;

    /// <summary>The mutated object as UTF-8 JSON: the API server's own limit on a request body is 3 MiB.</summary>
    public const int MaxObjectBytes = 3 * 1024 * 1024;

    /// <summary>How deep the mutated object may nest: as deep as an AdmissionReview is read.</summary>
    public const int MaxObjectDepth = 256;
}
