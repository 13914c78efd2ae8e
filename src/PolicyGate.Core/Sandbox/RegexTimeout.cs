using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace PolicyGate.Core.Sandbox;

/// <summary>
/// Gives every regular expression in the process a match timeout unless it names its own, so a catastrophic pattern
/// in a policy script (say <c>^(a+)+$</c> on a long non-matching input) throws <see cref="RegexMatchTimeoutException"/>
/// instead of spinning inside the regex engine, where no woven budget check can reach it.
/// </summary>
/// <remarks>
/// Two layers. The compiler gives every Regex a script constructs or calls statically an explicit timeout
/// (<see cref="Default"/>, or the script's own clamped by <see cref="Clamp"/>): that holds whatever the host did
/// first. And a process-wide default covers regexes made elsewhere: the runtime reads the AppContext value
/// <c>REGEX_DEFAULT_MATCH_TIMEOUT</c> once, in the static initializer of <see cref="Regex"/>, so it must be set
/// before the process first uses Regex. <see cref="Install"/> runs as this assembly's module initializer and, to
/// come first whatever else the process does, as the first statement of the CLI's Main (a test host has used
/// Regex before: there only the woven timeouts apply).
/// The timeout (half a second) is half the smallest <c>timeoutSeconds</c> a policy may have (1), so one runaway
/// match cannot take a policy far past its budget, and it is thousands of times what a sane pattern needs on an
/// admission request's strings.
/// </remarks>
public static class RegexTimeout
{
    /// <summary>The AppContext key the runtime reads.</summary>
    public const string AppContextKey = "REGEX_DEFAULT_MATCH_TIMEOUT";

    /// <summary>The default match timeout of every regular expression that does not name its own.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(500);

    /// <summary>Sets the process-wide default unless the host already set one. Idempotent.</summary>
    [SuppressMessage("Usage", "CA2255", Justification = "The regex default must be set before any code in the process uses Regex.")]
    [ModuleInitializer]
    public static void Install()
    {
        if (AppContext.GetData(AppContextKey) is null)
        {
            AppContext.SetData(AppContextKey, Default);
        }
    }

    /// <summary>
    /// Woven around a timeout a script passes to Regex: no longer than <see cref="Default"/> (and never infinite).
    /// </summary>
    public static TimeSpan Clamp(TimeSpan matchTimeout) =>
        matchTimeout == Regex.InfiniteMatchTimeout || matchTimeout > Default ? Default : matchTimeout;
}
