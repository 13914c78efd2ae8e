using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Events;

/// <summary>What a policy did to a request that the cluster should see as an Event.</summary>
public enum PolicyEventAction
{
    /// <summary>A denial (protect mode), or a failure under <c>failurePolicy: Fail</c>.</summary>
    Denied,

    /// <summary>A violation in monitor mode: allowed, and recorded.</summary>
    Audited,

    /// <summary>The policy changed the object.</summary>
    Mutated,
}

/// <summary>An object an Event is about, as Kubernetes refers to it.</summary>
public sealed record EventSubject(string ApiVersion, string Kind, string? Namespace, string Name, string? Uid);

/// <summary>
/// One policy decision worth an Event: about <see cref="Regarding"/> (the object, else its controlling owner, else its
/// Namespace; null when none can be named), in <see cref="Namespace"/>, and about the policy itself.
/// </summary>
public sealed record PolicyEvent(
    PolicyEventAction Action,
    PolicyResource Policy,
    EventSubject? Regarding,
    string Namespace,
    string Note,
    DateTimeOffset Time)
{
    /// <summary>Where cluster-scoped objects' Events live, as Kubernetes does it.</summary>
    public const string ClusterScopedNamespace = "default";

    /// <summary>The policy as an Event's subject (a ClusterAdmissionPolicy's Events live in <see cref="ClusterScopedNamespace"/>).</summary>
    public EventSubject PolicySubject => new(PolicyResource.ApiVersionV1, Policy.Kind.ToString(), Policy.Namespace, Policy.Name, null);

    /// <summary>The namespace of the Event about the policy.</summary>
    public string PolicyEventNamespace => Policy.Namespace ?? ClusterScopedNamespace;
}

/// <summary>Takes policy Events to the cluster. Never blocks and never throws: it is called on the admission path.</summary>
public interface IPolicyEventSink
{
    void Publish(PolicyEvent policyEvent);
}
