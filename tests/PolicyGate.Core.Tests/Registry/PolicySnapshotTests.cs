using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Core.Registry;

namespace PolicyGate.Core.Tests.Registry;

public class PolicySnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private sealed class FakeProgram(string hash) : IPolicyProgram
    {
        public string Hash => hash;

        public SettingsBinding BindSettings(JsonObject? settings, TimeSpan timeBudget) => SettingsBinding.Success(null);

        public PolicyResult? Run(PolicyContext context) => null;
    }

    private static CompiledPolicy Policy(string name, string hash, bool mutating = false) =>
        new(new PolicyResource(PolicyKind.ClusterAdmissionPolicy, name, null, new PolicySpec { Script = hash, Mutating = mutating }, $"{name}.yaml#1"), new FakeProgram(hash), null);

    [Fact]
    public void ValidatingAndMutating_SplitTheServingPolicies_InNameOrder()
    {
        var snapshot = PolicySnapshot.Empty.Next([Policy("d", "h", mutating: true), Policy("c", "h"), Policy("b", "h", mutating: true), Policy("a", "h")], [], T0);

        Assert.Equal(["a", "c"], snapshot.Validating.Select(p => p.Name));
        Assert.Equal(["b", "d"], snapshot.Mutating.Select(p => p.Name));
    }

    [Fact]
    public void Next_NewAndChangedPolicies_ServeAndAreReady()
    {
        var first = PolicySnapshot.Empty.Next([Policy("a", "h1"), Policy("b", "h1")], [], T0);

        var second = first.Next([Policy("a", "h2"), Policy("b", "h1")], [], T0.AddMinutes(1));

        Assert.Equal(["a", "b"], second.Policies.Select(p => p.Name));
        Assert.Equal("h2", second.Find("a")!.Program.Hash);
        Assert.All(second.Statuses, s => Assert.Equal(PolicyState.Ready, s.State));
        Assert.Equal(T0.AddMinutes(1), second.Statuses.Single(s => s.Name == "a").ChangedAt);
        Assert.Equal(T0, second.Statuses.Single(s => s.Name == "b").ChangedAt);
        Assert.Equal(first.Version + 1, second.Version);
    }

    [Fact]
    public void Next_FailedPolicy_KeepsLastGoodVersionAndReportsTheError()
    {
        var good = PolicySnapshot.Empty.Next([Policy("a", "h1")], [], T0);

        var broken = good.Next([], [new PolicyFailure("a", "a.yaml#1", "compile error")], T0.AddMinutes(1));

        Assert.Equal("h1", broken.Find("a")!.Program.Hash);
        var status = Assert.Single(broken.Statuses);
        Assert.Equal(PolicyState.Error, status.State);
        Assert.True(status.Serving);
        Assert.Equal("compile error", status.LastError);
        Assert.Equal("h1", status.Hash);
    }

    [Fact]
    public void Next_NewPolicyThatFails_IsReportedButDoesNotServe()
    {
        var snapshot = PolicySnapshot.Empty.Next([], [new PolicyFailure("new", "new.yaml#1", "bad settings")], T0);

        Assert.Empty(snapshot.Policies);
        var status = Assert.Single(snapshot.Statuses);
        Assert.False(status.Serving);
        Assert.Null(status.Hash);
    }

    [Fact]
    public void Next_PolicyNoLongerDefined_IsRemoved()
    {
        var both = PolicySnapshot.Empty.Next([Policy("a", "h1"), Policy("b", "h1")], [], T0);

        var onlyB = both.Next([Policy("b", "h1")], [], T0);

        Assert.Null(onlyB.Find("a"));
        Assert.Equal(["b"], onlyB.Statuses.Select(s => s.Name));
    }

    [Fact]
    public async Task Registry_Publish_SwapsAndSignalsWaiters()
    {
        var registry = new PolicyRegistry();
        var changed = registry.WaitForChangeAsync();
        Assert.False(changed.IsCompleted);

        var snapshot = PolicySnapshot.Empty.Next([Policy("a", "h")], [], T0);
        registry.Publish(snapshot);

        await changed.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Same(snapshot, registry.Current);
        Assert.True(registry.IsReady);
    }
}
