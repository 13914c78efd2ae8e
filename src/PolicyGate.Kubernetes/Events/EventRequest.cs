namespace PolicyGate.Kubernetes.Events;

/// <summary>The object an Event is about (or related to), as <c>events.k8s.io/v1</c> refers to it: enough to find it
/// again (<c>kubectl describe</c> matches on kind, namespace, name and uid).</summary>
/// <param name="ApiVersion">The object's API version, e.g. <c>v1</c> or <c>apps/v1</c>.</param>
/// <param name="Kind">The object's kind, e.g. <c>Pod</c>.</param>
/// <param name="Namespace">The object's namespace; null for cluster-scoped objects.</param>
/// <param name="Name">The object's name.</param>
/// <param name="Uid">The object's uid, when known (it is not yet assigned on an admission request for a create).</param>
public sealed record EventReference(string ApiVersion, string Kind, string? Namespace, string Name, string? Uid);

/// <summary>One occurrence to record as a Kubernetes Event. Identical requests (same namespace, regarding, related,
/// type, reason, action and note) are folded into one Event's series by <see cref="EventRecorder"/>.</summary>
/// <param name="Namespace">The namespace the Event is written to; for a namespaced object, the object's own namespace.</param>
/// <param name="Regarding">The object the Event is about.</param>
/// <param name="Related">A second object involved, if any (e.g. the policy that denied the request).</param>
/// <param name="Type"><see cref="EventTypes.Normal"/> or <see cref="EventTypes.Warning"/>.</param>
/// <param name="Reason">A short UpperCamelCase reason, at most 128 characters (e.g. <c>PolicyDenied</c>).</param>
/// <param name="Action">What was done or failed, at most 128 characters (e.g. <c>Admit</c>).</param>
/// <param name="Note">A human-readable description; cut to the API server's 1 KiB limit when longer.</param>
public sealed record EventRequest(
    string Namespace, EventReference Regarding, EventReference? Related, string Type, string Reason, string Action, string Note);

/// <summary>The two Event types the API server accepts.</summary>
public static class EventTypes
{
    /// <summary>Nothing is wrong; information for the object's owner.</summary>
    public const string Normal = "Normal";

    /// <summary>Something the object's owner should look at (e.g. a denied request).</summary>
    public const string Warning = "Warning";
}
