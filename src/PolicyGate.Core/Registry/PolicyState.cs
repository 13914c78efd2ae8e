namespace PolicyGate.Core.Registry;

public enum PolicyState
{
    /// <summary>The current version loaded and serves.</summary>
    Ready,

    /// <summary>The current version is broken; the last good version (if any) still serves.</summary>
    Error,
}
