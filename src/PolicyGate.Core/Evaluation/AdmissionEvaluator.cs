using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Matching;
using PolicyGate.Core.Patch;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// Runs the policies that match a request. dry-run, run and the webhook all go through <see cref="Review"/>, so a
/// dry-run answer is the answer the cluster would get.
/// </summary>
public static class AdmissionEvaluator
{
    /// <summary>
    /// The whole admission answer, as the API server would see it: mutating policies run first, in name order, each
    /// on the object as the previous ones left it (their patches composed into one); then validating policies judge
    /// the final object. Denied if any policy denies, naming every denying policy; warnings gathered.
    /// </summary>
    public static AdmissionReviewOutcome Review(
        IReadOnlyList<CompiledPolicy> policies,
        AdmissionRequest request,
        NamespaceLabels namespaceLabels,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(request);
        var decisions = new List<PolicyDecision>(policies.Count);
        var current = request;
        JsonNode? mutated = null;
        foreach (var policy in MutatingByName(policies))
        {
            if (!PolicyMatcher.Matches(policy.Resource, current, namespaceLabels))
            {
                continue;
            }

            var decision = Decide(policy, new ParsedRequest(current), cancellationToken);
            decisions.Add(decision);
            if (decision.MutatedObject is { } next)
            {
                mutated = next;
                current = current with { Object = JsonSerializer.SerializeToElement(next, PolicyEvaluator.ObjectJson) };
            }
        }

        var parsed = new ParsedRequest(current);
        foreach (var policy in policies)
        {
            if (!policy.Spec.Mutating && PolicyMatcher.Matches(policy.Resource, current, namespaceLabels))
            {
                decisions.Add(Decide(policy, parsed, cancellationToken));
            }
        }

        return new AdmissionReviewOutcome(Respond(request, decisions, mutated), decisions);
    }

    /// <summary>
    /// One policy's decision, inside a span of its own (a child of the request's span) when a tracer listens; when
    /// none does, <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and nothing is allocated.
    /// </summary>
    private static PolicyDecision Decide(CompiledPolicy policy, ParsedRequest request, CancellationToken cancellationToken)
    {
        using var activity = EvaluationTracing.Source.StartActivity(EvaluationTracing.PolicySpanName);
        var decision = PolicyEvaluator.Decide(policy, request, cancellationToken);
        if (activity is not null)
        {
            EvaluationTracing.Describe(activity, decision);
        }

        return decision;
    }

    /// <summary>The mutating policies in name order: the order their patches are composed in.</summary>
    private static List<CompiledPolicy> MutatingByName(IReadOnlyList<CompiledPolicy> policies)
    {
        var mutating = new List<CompiledPolicy>();
        foreach (var policy in policies)
        {
            if (policy.Spec.Mutating)
            {
                mutating.Add(policy);
            }
        }

        if (mutating.Count > 1)
        {
            mutating.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        return mutating;
    }

    private static AdmissionResponse Respond(AdmissionRequest request, List<PolicyDecision> decisions, JsonNode? mutated)
    {
        var response = new AdmissionResponse { Uid = request.Uid, Allowed = true };
        List<PolicyDecision>? denials = null;
        List<string>? warnings = null;
        Dictionary<string, string>? annotations = null;
        foreach (var decision in decisions)
        {
            if (!decision.Allowed)
            {
                (denials ??= []).Add(decision);
            }

            if (decision.Warnings.Count > 0)
            {
                (warnings ??= []).AddRange(decision.Warnings);
            }

            if (decision.AuditAnnotations is { Count: > 0 } audit)
            {
                annotations ??= new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (key, value) in audit)
                {
                    annotations[key] = value;
                }
            }
        }

        if (denials is not null)
        {
            response.Allowed = false;
            var message = denials.Count == 1
                ? $"policy {denials[0].Policy} denied the request: {denials[0].Message}"
                : "denied by " + string.Join("; ", denials.Select(d => $"policy {d.Policy}: {d.Message}"));
            response.Status = new AdmissionStatus { Status = "Failure", Code = 403, Reason = "Forbidden", Message = message };
        }
        else if (mutated is not null)
        {
            var patch = JsonPatch.CreateDiff(PolicyEvaluator.ObjectNode(request), mutated);
            if (patch.Count > 0)
            {
                response.Patch = Encoding.UTF8.GetBytes(patch.ToJsonString(PolicyEvaluator.ObjectJson));
                response.PatchType = AdmissionResponse.JsonPatchType;
            }
        }

        response.Warnings = warnings;
        response.AuditAnnotations = annotations;
        return response;
    }
}
