using System.Diagnostics;
using k8s;
using PolicyGate.Kubernetes.Leadership;
using PolicyGate.Kubernetes.Tests.Watch;

namespace PolicyGate.Kubernetes.Tests.Leadership;

/// <summary>
/// Two replicas competing for one Lease on the loopback fake API server, with one-second leases (KubernetesClient's
/// elector keeps real time, so these wait on real, short leases, polling with deadlines).
/// </summary>
public sealed class LeadershipTests : IAsyncDisposable
{
    private const string LeasePath = "/apis/coordination.k8s.io/v1/namespaces/policygate/leases/policygate-leader";

    private readonly FakeApiServer _server = FakeApiServer.Start();
    private readonly List<k8s.Kubernetes> _clients = [];
    private readonly List<PolicyGate.Kubernetes.Leadership.Leadership> _replicas = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _server.DisposeAsync();
        _clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task One_of_two_replicas_leads_and_holds_the_lease()
    {
        var a = Replica("pod-a");
        var b = Replica("pod-b");
        a.Start();
        b.Start();

        await Eventually.TrueAsync(() => a.IsLeader || b.IsLeader, "a leader");
        var leader = a.IsLeader ? a : b;
        var other = a.IsLeader ? b : a;
        var term = await leader.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(term.IsCancellationRequested);
        Assert.Equal(leader.Identity, (string?)_server.GetObject(LeasePath)!["spec"]!["holderIdentity"]);

        // Several renewals later the other still does not lead.
        var renewedAt = (string?)_server.GetObject(LeasePath)!["spec"]!["renewTime"];
        await Eventually.TrueAsync(() => (string?)_server.GetObject(LeasePath)!["spec"]!["renewTime"] != renewedAt, "a renewal");
        Assert.False(other.IsLeader);
        Assert.False(other.WaitForTermAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task When_the_leader_dies_without_a_word_the_other_takes_over_after_the_lease_runs_out()
    {
        var a = Replica("pod-a");
        a.Start();
        var firstTerm = await a.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var b = Replica("pod-b");
        b.Start();

        // pod-a's API server connection dies: every call it makes fails from now on, as for a killed pod.
        var died = Stopwatch.StartNew();
        _server.BlockIdentity("pod-a");

        await b.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var takeover = died.Elapsed;
        Assert.Equal("pod-b", (string?)_server.GetObject(LeasePath)!["spec"]!["holderIdentity"]);
        Assert.True(takeover < TimeSpan.FromSeconds(6), $"took over after {takeover}");

        // The old leader stops leading on its own once it cannot renew: its term's token is cancelled.
        await Eventually.TrueAsync(() => firstTerm.IsCancellationRequested, "the old term to end");
        Assert.False(a.IsLeader);
    }

    [Fact]
    public async Task A_leader_that_stops_hands_the_lease_over_at_once()
    {
        var a = Replica("pod-a", leaseSeconds: 5);
        a.Start();
        await a.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        var b = Replica("pod-b", leaseSeconds: 5);
        b.Start();
        await Eventually.TrueAsync(() => _server.Requests.Count(r => r.Path == LeasePath && r.Method == "GET") >= 4, "pod-b to watch the lease");

        var stopped = Stopwatch.StartNew();
        await a.DisposeAsync();
        _replicas.Remove(a);

        await b.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(4), $"took over after {stopped.Elapsed}, the lease is 5 s");
    }

    [Fact]
    public async Task Api_errors_do_not_end_the_election()
    {
        _server.FailNext("GET", LeasePath, 500);
        _server.FailNext("GET", LeasePath, 503, retryAfter: "1");
        var a = Replica("pod-a");
        a.Start();

        await a.WaitForTermAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(a.IsLeader);
    }

    [Fact]
    public void Timing_that_cannot_work_is_refused()
    {
        var options = new LeaderElectionOptions("policygate", "x", "pod-a") { LeaseDuration = TimeSpan.FromSeconds(2), RenewDeadline = TimeSpan.FromSeconds(3) };
        Assert.Contains(options.Validate(), p => p.Contains("renew deadline", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new PolicyGate.Kubernetes.Leadership.Leadership(new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host }), options, new ListLogger()));
    }

    private PolicyGate.Kubernetes.Leadership.Leadership Replica(string identity, int leaseSeconds = 2)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = _server.Host }, new IdentityHandler(identity));
        _clients.Add(client);
        var replica = new PolicyGate.Kubernetes.Leadership.Leadership(client,
            new LeaderElectionOptions("policygate", LeaderElectionOptions.DefaultLeaseName, identity)
            {
                LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
                RenewDeadline = TimeSpan.FromMilliseconds(leaseSeconds * 600),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            },
            new ListLogger());
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>Tags each request with the replica that sent it, so the fake server can cut one replica off.</summary>
    private sealed class IdentityHandler(string identity) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add(FakeApiServer.IdentityHeader, identity);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
