namespace PolicyGate.Core.Api.V1;

/// <summary>Where a policy's script runs (<c>spec.isolation</c>).</summary>
public enum PolicyIsolation
{
    /// <summary>
    /// In the server's own process, on the request's thread: the fastest, and bounded by the sandbox's checks. The
    /// default for ClusterAdmissionPolicies (cluster administrators write them) and for the built-in modules.
    /// </summary>
    InProcess,

    /// <summary>
    /// In a worker process of its own: its crash, stack overflow, out-of-memory or runaway loop ends that worker,
    /// never the server. The default for an AdmissionPolicy's own script (a namespace's owners write it).
    /// </summary>
    Process,
}
