using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a job.</summary>
public sealed class V1JobSpec : KubernetesModel
{
    /// <summary>Seconds the job may be active before the system terminates it.</summary>
    public long? ActiveDeadlineSeconds { get; set; }

    /// <summary>Retries before the job is marked failed.</summary>
    public int? BackoffLimit { get; set; }

    /// <summary>Retries per index of an indexed job.</summary>
    public int? BackoffLimitPerIndex { get; set; }

    /// <summary><c>NonIndexed</c> or <c>Indexed</c>.</summary>
    public string? CompletionMode { get; set; }

    /// <summary>Desired number of successfully finished pods.</summary>
    public int? Completions { get; set; }

    /// <summary>Controller that manages the job.</summary>
    public string? ManagedBy { get; set; }

    /// <summary>Whether the selector is managed by the user.</summary>
    public bool? ManualSelector { get; set; }

    /// <summary>Failed indexes allowed before the job fails.</summary>
    public int? MaxFailedIndexes { get; set; }

    /// <summary>Maximum pods running at once.</summary>
    public int? Parallelism { get; set; }

    /// <summary>Pod failure policy, kept as raw JSON.</summary>
    public JsonElement? PodFailurePolicy { get; set; }

    /// <summary>When replacement pods are created.</summary>
    public string? PodReplacementPolicy { get; set; }

    /// <summary>Label query over the controller's pods.</summary>
    public V1LabelSelector? Selector { get; set; }

    /// <summary>Success policy, kept as raw JSON.</summary>
    public JsonElement? SuccessPolicy { get; set; }

    /// <summary>Whether the job is suspended.</summary>
    public bool? Suspend { get; set; }

    /// <summary>Template of the pods the controller creates.</summary>
    public V1PodTemplateSpec? Template { get; set; }

    /// <summary>Seconds after which a finished job is deleted.</summary>
    public int? TtlSecondsAfterFinished { get; set; }
}
