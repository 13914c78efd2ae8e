using PolicyGate.Core.Api.V1;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Isolation;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Isolation;

public sealed class IsolationSupervisorTests
{
    private static readonly PolicyImage Image = Compile("return Allow();");

    private static PolicyImage Compile(string script) =>
        TestPolicies.Compiler.CompileImage(new ScriptSource(script, "test.csx"), out _) ?? throw new InvalidOperationException("does not compile");

    private static PolicyResource Resource() =>
        TestPolicies.Single(TestPolicies.BuiltinYaml("run-as-non-root")).Resource with { Kind = PolicyKind.AdmissionPolicy, Namespace = "shop" };

    [Fact]
    public void StartInfo_Worker_GetsNoneOfTheServersEnvironment()
    {
        Environment.SetEnvironmentVariable("POLICYGATE_TEST_SECRET", "token");
        try
        {
            var info = new WorkerLauncher("/usr/bin/policygate", []).StartInfo();

            Assert.DoesNotContain("POLICYGATE_TEST_SECRET", info.Environment.Keys);
            Assert.DoesNotContain("HOME", info.Environment.Keys);
            Assert.DoesNotContain("KUBECONFIG", info.Environment.Keys);
            Assert.Equal("0x20000000", info.Environment["DOTNET_GCHeapHardLimit"]);
            Assert.Equal(["worker"], info.ArgumentList);
        }
        finally
        {
            Environment.SetEnvironmentVariable("POLICYGATE_TEST_SECRET", null);
        }
    }

    [Fact]
    public void Load_WorkerCannotStart_ErrorSaysWhat()
    {
        using var supervisor = new IsolationSupervisor(new WorkerLauncher("/nonexistent/policygate", []));

        var (program, errors) = supervisor.Load(Resource(), Image);

        Assert.Null(program);
        Assert.StartsWith("its worker process could not start (/nonexistent/policygate)", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WorkerBreaksTheProtocol_KilledAndReported()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the stand-in worker is a shell script
        }

        // Not a policygate worker: it answers the first message with bytes that are no frame (and then waits).
        using var supervisor = new IsolationSupervisor(new WorkerLauncher("/bin/sh", ["-c", "printf 'garbage'; exec sleep 30", "sh"]));

        var (program, errors) = supervisor.Load(Resource(), Image);

        Assert.Null(program);
        Assert.Contains("broke the protocol (a frame of", Assert.Single(errors), StringComparison.Ordinal);
        Assert.Null(Assert.Single(supervisor.Workers()).ProcessId);
    }

    [Fact]
    public void Load_UnchangedPolicyOnReload_KeepsTheVersionItsWorkerHas_ChangedSpec_NewVersion()
    {
        using var supervisor = new IsolationSupervisor(WorkerLauncher.ForExecutableIn(AppContext.BaseDirectory));
        var resource = Resource();

        var (first, _) = supervisor.Load(resource, Image);
        var (again, _) = supervisor.Load(resource with { Source = "reloaded.yaml#1" }, Image);
        var changed = resource with { Spec = resource.Spec with { TimeoutSeconds = 3 } };
        var (other, errors) = supervisor.Load(changed, Image);

        Assert.NotNull(first);
        Assert.Same(first, again); // a request still running on the previous snapshot finds its version loaded
        Assert.Empty(errors);
        Assert.NotSame(first, other);
        Assert.Equal(1, supervisor.RetainOnly([other!]));
    }
}
