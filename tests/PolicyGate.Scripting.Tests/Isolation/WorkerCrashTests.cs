using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Tests.Sandbox;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Isolation;

/// <summary>
/// One request's script crashes its policy's worker while another request of the same policy waits on that worker:
/// only the request that crashes it fails; the other is judged again on a fresh worker.
/// </summary>
public sealed class WorkerCrashTests(Workers workers) : IClassFixture<Workers>
{
    private const string Policy = """
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata: {name: crashes-on-debug}
        spec:
          rules: [{apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"]}]
          timeoutSeconds: 30
          script: |
            if (Name == "warm-up") return Deny("judged: " + Name);
            // Each request is busy for a while: the crashing one 2 s (the test sends the other meanwhile) before it
            // overflows the stack, the other 4 s, so it is still running on the worker when the worker dies.
            var until = System.Diagnostics.Stopwatch.GetTimestamp() + (Name == "debug" ? 2 : 4) * System.Diagnostics.Stopwatch.Frequency;
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until) { }
            if (Name != "debug") return Deny("judged: " + Name);
            object chain = 0;
            for (var i = 0; i < 1_000_000; i++) chain = (chain, i);
            return chain.GetHashCode() == 42 ? Deny("never") : Allow();
        """;

    [Fact]
    public async Task A_crash_fails_only_the_request_that_caused_it()
    {
        var loaded = workers.Loader.LoadText(Policy, "crash.yaml", null);
        var policy = Assert.Single(loaded.Policies);

        Assert.Equal("judged: warm-up", PolicyEvaluator.Decide(policy, SandboxFixtures.Pod(name: "warm-up")).Message); // the worker runs
        using var worker = System.Diagnostics.Process.GetProcessById(workers.Supervisor.Workers().Single(w => w.ProcessId is not null).ProcessId!.Value);
        var cpuBefore = worker.TotalProcessorTime;

        var crashing = Task.Run(() => PolicyEvaluator.Decide(policy, SandboxFixtures.Pod(name: "debug")));

        // Send the innocent request once the crashing one is running on the worker (it spins: its CPU time grows).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (worker.TotalProcessorTime - cpuBefore < TimeSpan.FromMilliseconds(300) && DateTime.UtcNow < deadline && !crashing.IsCompleted)
        {
            await Task.Delay(10);
            worker.Refresh();
        }

        var innocent = Task.Run(() => PolicyEvaluator.Decide(policy, SandboxFixtures.Pod(name: "web")));
        var decisions = await Task.WhenAll(crashing, innocent).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(DecisionOutcome.Failed, decisions[0].Outcome);
        Assert.Contains("its worker process crashed", decisions[0].Message, StringComparison.Ordinal);
        Assert.True(decisions[1].Outcome == DecisionOutcome.Denied, $"{decisions[1].Outcome}: {decisions[1].Message}");
        Assert.Equal("judged: web", decisions[1].Message);
    }
}
