using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Scripting.Tests.TestSupport;

/// <summary>
/// Worker processes for the tests of isolated policies: the <c>policygate</c> executable is built beside the tests
/// (the test project references the CLI), and every policy a <see cref="Loader"/> loads runs in a worker of its own.
/// </summary>
public sealed class Workers : IDisposable
{
    public Workers()
    {
        Supervisor = new IsolationSupervisor(WorkerLauncher.ForExecutableIn(AppContext.BaseDirectory));
        Loader = new PolicyLoader(TestPolicies.Compiler, Supervisor, forceIsolation: true);
    }

    public IsolationSupervisor Supervisor { get; }

    public PolicyLoader Loader { get; }

    public void Dispose() => Supervisor.Dispose();
}
