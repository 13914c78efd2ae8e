using PolicyGate.Core.Events;
using PolicyGate.Kubernetes.Events;

namespace PolicyGate.Server.Events;

/// <summary>
/// Takes the policy Events of admission decisions to the cluster through the <see cref="EventRecorder"/>: one about the
/// object (in its namespace, <c>related</c> the policy) and one about the policy (so <c>kubectl describe</c> of the
/// policy lists its recent violations). A denial or a monitor-mode violation is a Warning <c>PolicyViolation</c> with
/// action <c>Denied</c> or <c>Audited</c>; a mutation a Normal <c>PolicyMutation</c>. The recorder folds repeats into
/// series, limits the rate and retries; nothing here waits for the API server.
/// </summary>
internal sealed class ClusterEventSink(EventRecorder recorder) : IPolicyEventSink
{
    public const string ViolationReason = "PolicyViolation";

    public const string MutationReason = "PolicyMutation";

    public void Publish(PolicyEvent policyEvent)
    {
        ArgumentNullException.ThrowIfNull(policyEvent);
        var (type, reason, action) = policyEvent.Action switch
        {
            PolicyEventAction.Denied => (EventTypes.Warning, ViolationReason, "Denied"),
            PolicyEventAction.Audited => (EventTypes.Warning, ViolationReason, "Audited"),
            _ => (EventTypes.Normal, MutationReason, "Mutated"),
        };
        var policy = Reference(policyEvent.PolicySubject);
        var regarding = policyEvent.Regarding is { } subject ? Reference(subject) : null;
        if (regarding is not null)
        {
            recorder.TryRecord(new EventRequest(policyEvent.Namespace, regarding, policy, type, reason, action, policyEvent.Note));
        }

        var about = regarding is null ? policyEvent.Note : $"{Describe(regarding)}: {policyEvent.Note}";
        recorder.TryRecord(new EventRequest(policyEvent.PolicyEventNamespace, policy, regarding, type, reason, action, about));
    }

    private static EventReference Reference(EventSubject subject) =>
        new(subject.ApiVersion, subject.Kind, subject.Namespace, subject.Name, subject.Uid);

    private static string Describe(EventReference reference) =>
        reference.Namespace is null ? $"{reference.Kind} {reference.Name}" : $"{reference.Kind} {reference.Namespace}/{reference.Name}";
}
