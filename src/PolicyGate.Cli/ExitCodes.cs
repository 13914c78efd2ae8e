namespace PolicyGate.Cli;

/// <summary>The exit codes of every <c>policygate</c> command (documented in <c>--help</c>).</summary>
internal static class ExitCodes
{
    /// <summary>Everything was allowed (or the command succeeded).</summary>
    public const int Success = 0;

    /// <summary>At least one request was denied by a policy in protect mode.</summary>
    public const int Denied = 1;

    /// <summary><c>policygate test</c>: at least one case did not get the answer it expects.</summary>
    public const int TestFailed = 1;

    /// <summary>Bad input: a policy, manifest or request could not be read, parsed, compiled or bound, or bad arguments.</summary>
    public const int InputError = 2;

    public const string Help = "Exit codes: 0 all allowed; 1 something denied in protect mode; 2 an input, policy or argument error.";
}
