using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a job.</summary>
public sealed class V1JobSpec : KubernetesModel
{
    /// <summary>Seconds the job may be active before the system terminates it.</summary>
    public long? ActiveDeadlineSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Retries before the job is marked failed.</summary>
    public int? BackoffLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Retries per index of an indexed job.</summary>
    public int? BackoffLimitPerIndex { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary><c>NonIndexed</c> or <c>Indexed</c>.</summary>
    public string? CompletionMode { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Desired number of successfully finished pods.</summary>
    public int? Completions { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Controller that manages the job.</summary>
    public string? ManagedBy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the selector is managed by the user.</summary>
    public bool? ManualSelector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Failed indexes allowed before the job fails.</summary>
    public int? MaxFailedIndexes { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Maximum pods running at once.</summary>
    public int? Parallelism { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Pod failure policy, kept as raw JSON.</summary>
    public JsonElement? PodFailurePolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>When replacement pods are created.</summary>
    public string? PodReplacementPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Success policy, kept as raw JSON.</summary>
    public JsonElement? SuccessPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether the job is suspended.</summary>
    public bool? Suspend { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Seconds after which a finished job is deleted.</summary>
    public int? TtlSecondsAfterFinished { get; set { ThrowIfFrozen(); field = value; } }
}
