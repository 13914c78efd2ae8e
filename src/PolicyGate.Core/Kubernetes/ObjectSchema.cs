using System.Text.Json;
using PolicyGate.Core.Admission;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Whether an object's fields have the types its kind declares, as the API server checks when it decodes an object
/// (before any admission webhook sees it). An object that fails is an input error, reported once with the field's
/// path, not a failure of every policy that reads it.
/// </summary>
/// <remarks>
/// Every object's <c>metadata</c> is checked as an ObjectMeta. Kinds PolicyGate has typed models for (Pod and the
/// pod controllers at their current API versions, PersistentVolumeClaim) are checked whole, with the same reader
/// policies use; fields a model does not declare are not checked (the API server would prune or refuse them, and
/// no policy reads them typed). Other kinds (custom resources) have only their metadata checked.
/// </remarks>
public static class ObjectSchema
{
    private static readonly Dictionary<(string Group, string Version, string Kind), Type> Models = new()
    {
        [("", "v1", "Pod")] = typeof(V1Pod),
        [("", "v1", "ReplicationController")] = typeof(V1ReplicationController),
        [("", "v1", "PersistentVolumeClaim")] = typeof(V1PersistentVolumeClaim),
        [("apps", "v1", "Deployment")] = typeof(V1Deployment),
        [("apps", "v1", "ReplicaSet")] = typeof(V1ReplicaSet),
        [("apps", "v1", "StatefulSet")] = typeof(V1StatefulSet),
        [("apps", "v1", "DaemonSet")] = typeof(V1DaemonSet),
        [("batch", "v1", "Job")] = typeof(V1Job),
        [("batch", "v1", "CronJob")] = typeof(V1CronJob),
    };

    /// <summary>
    /// The first field of <paramref name="obj"/> whose type does not fit <paramref name="kind"/>, as
    /// <c>spec.containers[0].name: expected a string, got a number</c>; null when the object fits.
    /// </summary>
    public static string? FindTypeError(JsonElement obj, GroupVersionKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var whole = Models.TryGetValue((kind.Group, kind.Version, kind.Kind), out var model);
        try
        {
            if (whole)
            {
                ModelReader.ReadFrozen(obj, model!);
            }
            else if (obj.TryGetProperty("metadata", out var metadata))
            {
                ModelReader.ReadFrozen<V1ObjectMeta>(metadata);
            }

            return null;
        }
        catch (JsonException ex)
        {
            // The reader's message starts with the JSON path of the field ("$.spec.containers: expected ...").
            var path = ex.Path ?? "$";
            var message = ex.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? ex.Message[(path.Length + 2)..] : ex.Message;
            var field = (whole ? "" : ".metadata") + path[1..];
            return $"{(field.Length == 0 ? "the object" : field[1..])}: {message}";
        }
    }
}
