using System.Text.Json;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Core.Events;

/// <summary>Which decisions of a request become Events, and what each is about.</summary>
public static class PolicyEvents
{
    /// <summary>
    /// The Events for <paramref name="decisions"/> on <paramref name="request"/>: every denial (a failure under Fail
    /// too), every monitor-mode violation and every mutation; none for a <c>dryRun</c> request, where the API server
    /// persists nothing. <paramref name="policy"/> finds a decision's policy by its name.
    /// </summary>
    public static IReadOnlyList<PolicyEvent> From(
        AdmissionRequest request, IReadOnlyList<PolicyDecision> decisions, Func<string, PolicyResource?> policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(policy);
        if (request.DryRun == true)
        {
            return [];
        }

        List<PolicyEvent>? events = null;
        EventSubject? regarding = null;
        var resolved = false;
        foreach (var decision in decisions)
        {
            PolicyEventAction? action = decision switch
            {
                { Allowed: false } => PolicyEventAction.Denied,
                { Outcome: DecisionOutcome.Denied } => PolicyEventAction.Audited,
                { Outcome: DecisionOutcome.Mutated } => PolicyEventAction.Mutated,
                _ => null,
            };
            if (action is null || policy(decision.Policy) is not { } resource)
            {
                continue;
            }

            if (!resolved)
            {
                regarding = Regarding(request);
                resolved = true;
            }

            var note = decision.Message ?? (action == PolicyEventAction.Mutated ? $"policy {resource.DisplayName} changed the object" : $"policy {resource.DisplayName}");
            (events ??= []).Add(new PolicyEvent(action.Value, resource, regarding, regarding?.Namespace ?? request.Namespace ?? PolicyEvent.ClusterScopedNamespace, note, now));
        }

        return events ?? (IReadOnlyList<PolicyEvent>)[];
    }

    /// <summary>
    /// The object the request is about, if it has a name; else its controlling owner (a Pod a ReplicaSet creates has only
    /// a generateName); else its Namespace; else nothing (a cluster-scoped object without a name).
    /// </summary>
    public static EventSubject? Regarding(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var obj = request.Object is { ValueKind: JsonValueKind.Object } o ? o
            : request.OldObject is { ValueKind: JsonValueKind.Object } old ? old : (JsonElement?)null;
        var metadata = obj is { } x && x.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        var ns = request.Namespace is { Length: > 0 } n ? n : null;
        var name = request.Name is { Length: > 0 } rn ? rn : Text(metadata, "name");
        if (name is not null)
        {
            var apiVersion = Text(obj, "apiVersion") ?? (request.Kind.Group is { Length: > 0 } g ? $"{g}/{request.Kind.Version}" : request.Kind.Version);
            return new EventSubject(apiVersion, Text(obj, "kind") ?? request.Kind.Kind, ns, name, Text(metadata, "uid"));
        }

        if (metadata is { } meta && meta.TryGetProperty("ownerReferences", out var owners) && owners.ValueKind == JsonValueKind.Array)
        {
            foreach (var owner in owners.EnumerateArray())
            {
                if (owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty("controller", out var controller) && controller.ValueKind == JsonValueKind.True &&
                    Text(owner, "apiVersion") is { } ownerApi && Text(owner, "kind") is { } ownerKind && Text(owner, "name") is { } ownerName)
                {
                    return new EventSubject(ownerApi, ownerKind, ns, ownerName, Text(owner, "uid"));
                }
            }
        }

        return ns is null ? null : new EventSubject("v1", "Namespace", null, ns, null);
    }

    private static string? Text(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String &&
        value.GetString() is { Length: > 0 } text ? text : null;
}
