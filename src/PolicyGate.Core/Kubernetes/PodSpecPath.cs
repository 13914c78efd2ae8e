using System.Collections.ObjectModel;
using System.Text;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Where each kind that carries pods keeps its pod spec and pod metadata, as JSON property paths from the object
/// root.
/// </summary>
public static class PodSpecPath
{
    private static readonly ReadOnlyCollection<string> PodSpec = Array.AsReadOnly(["spec"]);
    private static readonly ReadOnlyCollection<string> PodMetadata = Array.AsReadOnly(["metadata"]);
    private static readonly ReadOnlyCollection<string> TemplateSpec = Array.AsReadOnly(["spec", "template", "spec"]);
    private static readonly ReadOnlyCollection<string> TemplateMetadata = Array.AsReadOnly(["spec", "template", "metadata"]);

    private static readonly ReadOnlyCollection<string> CronJobSpec =
        Array.AsReadOnly(["spec", "jobTemplate", "spec", "template", "spec"]);

    private static readonly ReadOnlyCollection<string> CronJobMetadata =
        Array.AsReadOnly(["spec", "jobTemplate", "spec", "template", "metadata"]);

    /// <summary>
    /// The path of the pod spec in an object of <paramref name="kind"/>: <c>["spec"]</c> for a Pod,
    /// <c>["spec", "template", "spec"]</c> for a Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or
    /// ReplicationController, <c>["spec", "jobTemplate", "spec", "template", "spec"]</c> for a CronJob, and
    /// <see langword="null"/> for any other kind. Kinds are matched case-sensitively, as Kubernetes does.
    /// </summary>
    public static IReadOnlyList<string>? ForKind(string kind) => kind switch
    {
        "Pod" => PodSpec,
        "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" or "Job" or "ReplicationController" => TemplateSpec,
        "CronJob" => CronJobSpec,
        _ => null,
    };

    /// <summary>
    /// The path of the pod metadata in an object of <paramref name="kind"/>: <c>["metadata"]</c> for a Pod, the
    /// pod template's <c>metadata</c> for the controllers <see cref="ForKind"/> knows, and <see langword="null"/>
    /// for any other kind.
    /// </summary>
    public static IReadOnlyList<string>? MetadataForKind(string kind) => kind switch
    {
        "Pod" => PodMetadata,
        "Deployment" or "ReplicaSet" or "StatefulSet" or "DaemonSet" or "Job" or "ReplicationController" => TemplateMetadata,
        "CronJob" => CronJobMetadata,
        _ => null,
    };

    /// <summary>
    /// The RFC 6901 JSON Pointer of <paramref name="path"/>, e.g. <c>/spec/template/spec</c>; <c>~</c> and
    /// <c>/</c> in a segment are escaped as <c>~0</c> and <c>~1</c>. An empty path gives the empty pointer.
    /// </summary>
    public static string ToJsonPointer(IReadOnlyList<string> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var pointer = new StringBuilder();
        foreach (var segment in path)
        {
            pointer.Append('/').Append(segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        return pointer.ToString();
    }
}
