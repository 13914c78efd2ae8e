namespace PolicyGate.Core.Kubernetes;

/// <summary>Job template of a cron job (<c>spec.jobTemplate</c>).</summary>
public sealed class V1JobTemplateSpec : KubernetesModel
{
    /// <summary>Metadata given to jobs created from the template.</summary>
    public V1ObjectMeta? Metadata { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Specification of jobs created from the template.</summary>
    public V1JobSpec? Spec { get; set { ThrowIfFrozen(); field = value; } }
}
