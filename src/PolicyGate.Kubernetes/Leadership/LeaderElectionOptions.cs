namespace PolicyGate.Kubernetes.Leadership;

/// <summary>
/// Which <c>coordination.k8s.io/v1</c> Lease the replicas compete for, and its timing. The defaults bound a failover
/// (a leader that dies without releasing the Lease) to <see cref="LeaseDuration"/> plus one <see cref="RetryPeriod"/>
/// with jitter: about 12 s, inside the 15 s the issue allows; a leader that stops cleanly hands over in about 1 s.
/// </summary>
/// <param name="Namespace">PolicyGate's own namespace, where the Lease lives.</param>
/// <param name="LeaseName">The Lease's name.</param>
/// <param name="Identity">This replica's name (the pod's): the Lease's <c>holderIdentity</c> while it leads.</param>
public sealed record LeaderElectionOptions(string Namespace, string LeaseName, string Identity)
{
    /// <summary>The Lease every replica of PolicyGate competes for, unless told otherwise.</summary>
    public const string DefaultLeaseName = "policygate-leader";

    /// <summary>How long a Lease not renewed keeps others out (whole seconds: the Lease's field is an integer).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the leader keeps trying to renew before it stops leading: shorter than <see cref="LeaseDuration"/>,
    /// so it stops writing before another may start.</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(7);

    /// <summary>How often the leader renews and the others try to acquire.</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Validate()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            yield return $"the lease duration must be whole seconds, at least 1, got {LeaseDuration}";
        }

        if (RenewDeadline <= TimeSpan.Zero || RenewDeadline >= LeaseDuration)
        {
            yield return $"the renew deadline ({RenewDeadline}) must be positive and shorter than the lease duration ({LeaseDuration})";
        }

        if (RetryPeriod <= TimeSpan.Zero || RetryPeriod >= RenewDeadline)
        {
            yield return $"the retry period ({RetryPeriod}) must be positive and shorter than the renew deadline ({RenewDeadline})";
        }
    }
}
