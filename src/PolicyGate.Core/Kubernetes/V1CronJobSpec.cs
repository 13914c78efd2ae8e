namespace PolicyGate.Core.Kubernetes;

/// <summary>Specification of a cron job.</summary>
public sealed class V1CronJobSpec : KubernetesModel
{
    /// <summary><c>Allow</c>, <c>Forbid</c> or <c>Replace</c>.</summary>
    public string? ConcurrencyPolicy { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Failed finished jobs to keep.</summary>
    public int? FailedJobsHistoryLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Template of the jobs the cron job creates.</summary>
    public V1JobTemplateSpec? JobTemplate { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Cron schedule.</summary>
    public string? Schedule { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Deadline in seconds for starting a missed job.</summary>
    public long? StartingDeadlineSeconds { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Successful finished jobs to keep.</summary>
    public int? SuccessfulJobsHistoryLimit { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Whether subsequent executions are suspended.</summary>
    public bool? Suspend { get; set { ThrowIfFrozen(); field = value; } }

    /// <summary>Time zone of the schedule.</summary>
    public string? TimeZone { get; set { ThrowIfFrozen(); field = value; } }
}
