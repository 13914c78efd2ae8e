using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a pod (<c>spec</c> of a Pod, <c>spec.template.spec</c> of a controller).</summary>
public sealed class V1PodSpec : KubernetesModel
{
    /// <summary>Duration in seconds the pod may be active before the system fails it.</summary>
    public long? ActiveDeadlineSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Scheduling affinity rules, kept as raw JSON.</summary>
    public JsonElement? Affinity { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether a service account token is mounted automatically.</summary>
    public bool? AutomountServiceAccountToken { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Regular (application) containers.</summary>
    public IList<V1Container>? Containers { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>DNS parameters, kept as raw JSON.</summary>
    public JsonElement? DnsConfig { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>DNS policy, e.g. <c>ClusterFirst</c>.</summary>
    public string? DnsPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether service environment variables are injected.</summary>
    public bool? EnableServiceLinks { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Ephemeral (debug) containers.</summary>
    public IList<V1EphemeralContainer>? EphemeralContainers { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Extra /etc/hosts entries, kept as raw JSON.</summary>
    public IList<JsonElement>? HostAliases { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the pod uses the host's IPC namespace (<c>hostIPC</c>).</summary>
    public bool? HostIPC { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the pod uses the host's network namespace.</summary>
    public bool? HostNetwork { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the pod uses the host's PID namespace (<c>hostPID</c>).</summary>
    public bool? HostPID { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the pod uses the host's user namespace; <c>false</c> requests a new one.</summary>
    public bool? HostUsers { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Hostname of the pod.</summary>
    public string? Hostname { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Image pull secret references, kept as raw JSON.</summary>
    public IList<JsonElement>? ImagePullSecrets { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Init containers, run in order before the regular containers.</summary>
    public IList<V1Container>? InitContainers { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Node the pod is bound to.</summary>
    public string? NodeName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Node labels the pod must match.</summary>
    public IDictionary<string, string>? NodeSelector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Operating system the pod's containers need (<c>os</c>).</summary>
    public V1PodOS? Os { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Resource overhead of the pod's runtime class.</summary>
    public IDictionary<string, ResourceQuantity>? Overhead { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Preemption policy, e.g. <c>PreemptLowerPriority</c>.</summary>
    public string? PreemptionPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Priority value.</summary>
    public int? Priority { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Priority class name.</summary>
    public string? PriorityClassName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Extra readiness conditions, kept as raw JSON.</summary>
    public IList<JsonElement>? ReadinessGates { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Dynamic resource claims, kept as raw JSON.</summary>
    public IList<JsonElement>? ResourceClaims { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Pod-level resource requirements.</summary>
    public V1ResourceRequirements? Resources { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Restart policy: <c>Always</c>, <c>OnFailure</c> or <c>Never</c>.</summary>
    public string? RestartPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Runtime class name.</summary>
    public string? RuntimeClassName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Scheduler that schedules the pod.</summary>
    public string? SchedulerName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Scheduling gates, kept as raw JSON.</summary>
    public IList<JsonElement>? SchedulingGates { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Pod-level security attributes.</summary>
    public V1PodSecurityContext? SecurityContext { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Deprecated alias of <see cref="ServiceAccountName"/>.</summary>
    public string? ServiceAccount { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Service account the pod runs as.</summary>
    public string? ServiceAccountName { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the hostname is set to the pod's FQDN (<c>setHostnameAsFQDN</c>).</summary>
    public bool? SetHostnameAsFQDN { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether containers share a single process namespace.</summary>
    public bool? ShareProcessNamespace { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Subdomain of the pod's hostname.</summary>
    public string? Subdomain { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Grace period in seconds for termination.</summary>
    public long? TerminationGracePeriodSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Taints the pod tolerates.</summary>
    public IList<V1Toleration>? Tolerations { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Topology spread constraints, kept as raw JSON.</summary>
    public IList<JsonElement>? TopologySpreadConstraints { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Volumes that containers can mount.</summary>
    public IList<V1Volume>? Volumes { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>
    /// Every container of the pod: init containers, then regular containers, then ephemeral containers,
    /// each in declaration order. Missing lists are skipped.
    /// </summary>
    public IEnumerable<PodContainer> AllContainers()
    {
        if (InitContainers is not null)
        {
            foreach (var container in InitContainers)
            {
                yield return new PodContainer(ContainerKind.Init, container);
            }
        }

        if (Containers is not null)
        {
            foreach (var container in Containers)
            {
                yield return new PodContainer(ContainerKind.Regular, container);
            }
        }

        if (EphemeralContainers is not null)
        {
            foreach (var container in EphemeralContainers)
            {
                yield return new PodContainer(ContainerKind.Ephemeral, container);
            }
        }
    }
}
