using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.Commands;

/// <summary>
/// The policy loader of a command, with the worker processes its isolated policies run in (started from this very
/// executable as <c>policygate worker</c>); disposing it stops them.
/// </summary>
internal sealed class PolicyLoading : IDisposable
{
    public PolicyLoading(string? cacheDirectory, bool forceIsolation)
    {
        Isolation = new IsolationSupervisor(WorkerLauncher.ForExecutableIn(AppContext.BaseDirectory));
        Loader = new PolicyLoader(new PolicyCompiler(cacheDirectory), Isolation, forceIsolation);
    }

    public PolicyLoader Loader { get; }

    public IsolationSupervisor Isolation { get; }

    public void Dispose() => Isolation.Dispose();
}
