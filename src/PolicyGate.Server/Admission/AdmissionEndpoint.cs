namespace PolicyGate.Server.Admission;

internal enum AdmissionEndpoint
{
    /// <summary><c>/validate</c>: decisions only, never a patch.</summary>
    Validate,

    /// <summary><c>/mutate</c>: decisions and the composed patch of mutating policies.</summary>
    Mutate,
}
