namespace PolicyGate.Server.Hosting;

/// <summary>How <c>policygate serve</c> runs. Validated at start-up: a bad configuration fails at boot.</summary>
public sealed class PolicyGateServerOptions
{
    /// <summary>The folder of policy files (YAML/JSON), watched for changes; empty when the policies come from the cluster alone.</summary>
    public string PoliciesDirectory { get; set; } = "";

    /// <summary>The folder holding <c>tls.crt</c> and <c>tls.key</c> (a Kubernetes TLS Secret's layout), watched for rotation.</summary>
    public string CertificateDirectory { get; set; } = "";

    public string Address { get; set; } = "0.0.0.0";

    /// <summary>0 picks a free port (tests read it back from the server).</summary>
    public int Port { get; set; } = 8443;

    /// <summary>Where compiled scripts are cached between restarts; null keeps them in memory.</summary>
    public string? CompileCacheDirectory { get; set; }

    /// <summary>How often the watched folders are also polled, in case a file-system event is missed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long to wait for a burst of file events to settle before reloading.</summary>
    public TimeSpan ReloadDebounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>serve --isolation process</c>: every policy runs in a worker process, whatever its spec.isolation says.</summary>
    public bool IsolateAll { get; set; }

    /// <summary>How to start worker processes for isolated policies; null starts the <c>policygate</c> beside this assembly's host.</summary>
    public Scripting.Isolation.WorkerLauncher? WorkerLauncher { get; set; }

    /// <summary><c>--kubeconfig</c>: the cluster to talk to (Events); null with no <see cref="KubeContext"/> either means in-cluster when run in a pod, else none.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Whether, with no kubeconfig, a server running in a pod uses its service account (tests turn it off).</summary>
    public bool UseInClusterConfig { get; set; } = true;

    /// <summary><c>--context</c>: the kubeconfig context to use; null uses its current one.</summary>
    public string? KubeContext { get; set; }

    /// <summary>This replica's name (the pod's, from <c>POD_NAME</c>; the host name otherwise): the Events' <c>reportingInstance</c>.</summary>
    public string PodName { get; set; } = Environment.GetEnvironmentVariable("POD_NAME") is { Length: > 0 } pod ? pod : Environment.MachineName;

    /// <summary><c>--service</c>: the name of PolicyGate's own Service, which webhook configurations send requests to.</summary>
    public string ServiceName { get; set; } = "policygate";

    /// <summary>
    /// <c>--namespace</c>: PolicyGate's own namespace, where its Service and leader Lease live and which no policy's
    /// webhook reaches. Defaults to <c>POD_NAMESPACE</c>, else the service account's namespace in a pod, else <c>policygate</c>.
    /// </summary>
    public string ServiceNamespace { get; set; } = DefaultNamespace();

    /// <summary><c>--service-port</c>: the Service's port (not the pod's).</summary>
    public int ServicePort { get; set; } = Registration.WebhookService.DefaultPort;

    /// <summary>With a cluster, whether the leader keeps the webhook configurations named <c>policygate</c> in step with the policies.</summary>
    public bool RegisterWebhooks { get; set; } = true;

    /// <summary>The leader Lease's timing (tests shorten it); see <see cref="Kubernetes.Leadership.LeaderElectionOptions"/>.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(7);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the leader rewrites webhook configurations and status that someone else changed, without a change of its own.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often each replica renews its heartbeat Lease (what it serves, read by the leader for the policies'
    /// <c>status.servedBy</c>), and how often the leader reads them; a heartbeat three intervals old is a replica gone.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary><c>--decision-log</c>: which decisions get a log line (see <see cref="DecisionLogMode"/>).</summary>
    public Observability.DecisionLogMode DecisionLog { get; set; } = Observability.DecisionLogMode.Changes;

    /// <summary>Largest AdmissionReview body accepted (the API server's own request limit is 3 MiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>
    /// Largest body the server reads (and discards) to answer a too-large one with a 413 an HTTP/1.1 client can read;
    /// past it the connection is closed.
    /// </summary>
    public const long DiscardedBodyBytes = 64 * 1024 * 1024;

    /// <summary>The service account's namespace file in a pod.</summary>
    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    private static string DefaultNamespace()
    {
        if (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } fromPod)
        {
            return fromPod;
        }

        try
        {
            return File.Exists(ServiceAccountNamespaceFile) && File.ReadAllText(ServiceAccountNamespaceFile).Trim() is { Length: > 0 } fromAccount ? fromAccount : "policygate";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "policygate";
        }
    }

    public IEnumerable<string> Validate()
    {
        // No folder is fine with a cluster (PolicyGateServer.Create checks that there is one).
        if (PoliciesDirectory.Length > 0 && !Directory.Exists(PoliciesDirectory))
        {
            yield return $"--policies: the folder \"{PoliciesDirectory}\" does not exist";
        }

        if (string.IsNullOrWhiteSpace(CertificateDirectory) || !Directory.Exists(CertificateDirectory))
        {
            yield return $"--cert-dir: the folder \"{CertificateDirectory}\" does not exist";
        }

        if (!System.Net.IPAddress.TryParse(Address, out _))
        {
            yield return $"--address: \"{Address}\" is not an IP address";
        }

        if (Port is < 0 or > 65535)
        {
            yield return $"--port: {Port} is not a port number";
        }

        if (!Kubernetes.Naming.KubernetesNames.IsServiceName(ServiceName))
        {
            yield return $"--service: \"{ServiceName}\" is not a valid Service name (lower-case letters, digits and '-', starting with a letter, at most {Kubernetes.Naming.KubernetesNames.MaxLabelLength} characters)";
        }

        if (!Kubernetes.Naming.KubernetesNames.IsDnsLabel(ServiceNamespace))
        {
            yield return $"--namespace: \"{ServiceNamespace}\" is not a valid namespace name (lower-case letters, digits and '-', at most {Kubernetes.Naming.KubernetesNames.MaxLabelLength} characters)";
        }

        if (HeartbeatInterval <= TimeSpan.Zero)
        {
            yield return $"the heartbeat interval must be positive, got {HeartbeatInterval}";
        }

        if (ServicePort is < 1 or > 65535)
        {
            yield return $"--service-port: must be from 1 to 65535, got {ServicePort}";
        }

        foreach (var problem in new Kubernetes.Leadership.LeaderElectionOptions(ServiceNamespace, Kubernetes.Leadership.LeaderElectionOptions.DefaultLeaseName, PodName)
                 { LeaseDuration = LeaseDuration, RenewDeadline = RenewDeadline, RetryPeriod = RetryPeriod }.Validate())
        {
            yield return $"leader election: {problem}";
        }
    }
}
