using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Matching;

/// <summary>
/// Whether a policy applies to a request: its rules, its namespace (for an AdmissionPolicy), its namespaceSelector
/// and its objectSelector, all with the API server's webhook semantics.
/// </summary>
public static class PolicyMatcher
{
    /// <summary>The label every namespace carries since Kubernetes 1.22.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    public static bool Matches(PolicyResource policy, AdmissionRequest request, NamespaceLabels namespaceLabels)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(namespaceLabels);

        if (policy.Kind == PolicyKind.AdmissionPolicy && request.Namespace != policy.Namespace)
        {
            // A namespaced policy sees only requests for objects in its own namespace, never cluster-scoped ones.
            return false;
        }

        return RuleMatcher.MatchesAny(policy.Spec.Rules, request) &&
            MatchesNamespaceSelector(policy.Spec.NamespaceSelector, request, namespaceLabels) &&
            MatchesObjectSelector(policy.Spec.ObjectSelector, request);
    }

    /// <summary>
    /// For a Namespace object the selector is matched against the object's own labels; for other cluster-scoped
    /// objects it never excludes; otherwise against the labels of the request's namespace.
    /// </summary>
    public static bool MatchesNamespaceSelector(LabelSelector selector, AdmissionRequest request, NamespaceLabels namespaceLabels)
    {
        if (selector.IsEmpty)
        {
            return true;
        }

        if (RuleMatcher.IsNamespaceResource(request))
        {
            return selector.Matches(ObjectLabels.Of(request.Object ?? request.OldObject));
        }

        if (RuleMatcher.IsClusterScoped(request))
        {
            return true;
        }

        var labels = namespaceLabels(request.Namespace!) ??
            new Dictionary<string, string> { [NamespaceNameLabel] = request.Namespace! };
        return selector.Matches(labels);
    }

    /// <summary>Matches when either the new or the old object's labels match; an absent object never matches
    /// (the API server's rule, so a CONNECT with no object skips a policy that has an objectSelector).</summary>
    public static bool MatchesObjectSelector(LabelSelector selector, AdmissionRequest request) =>
        selector.IsEmpty ||
        (request.Object is not null && selector.Matches(ObjectLabels.Of(request.Object) ?? Empty)) ||
        (request.OldObject is not null && selector.Matches(ObjectLabels.Of(request.OldObject) ?? Empty));

    private static readonly Dictionary<string, string> Empty = [];
}
