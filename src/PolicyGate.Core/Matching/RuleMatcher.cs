using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;

namespace PolicyGate.Core.Matching;

/// <summary>
/// Decides whether an admission rule covers a request, with the API server's semantics
/// (k8s.io/apiserver webhook rules): <c>*</c> in a list matches anything; in resources, <c>*</c> matches every
/// resource but no subresource, <c>*/*</c> everything, <c>pods/*</c> every subresource of pods and <c>*/status</c>
/// the status subresource of every resource.
/// </summary>
public static class RuleMatcher
{
    public static bool Matches(RuleWithOperations rule, AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(request);
        return ContainsOrStar(rule.Operations, request.Operation) &&
            ContainsOrStar(rule.ApiGroups, request.Resource.Group) &&
            ContainsOrStar(rule.ApiVersions, request.Resource.Version) &&
            MatchesResource(rule.Resources, request.Resource.Resource, request.SubResource ?? "") &&
            MatchesScope(rule.Scope, request);
    }

    public static bool MatchesAny(IReadOnlyList<RuleWithOperations> rules, AdmissionRequest request)
    {
        foreach (var rule in rules)
        {
            if (Matches(rule, request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Cluster-scoped means no namespace, and Namespace objects themselves (whose requests carry their own name as namespace).</summary>
    public static bool IsClusterScoped(AdmissionRequest request) =>
        string.IsNullOrEmpty(request.Namespace) || IsNamespaceResource(request);

    public static bool IsNamespaceResource(AdmissionRequest request) =>
        request.Resource.Group.Length == 0 && request.Resource.Resource == "namespaces";

    private static bool MatchesScope(string scope, AdmissionRequest request) => scope switch
    {
        RuleWithOperations.ClusterScope => IsClusterScoped(request),
        RuleWithOperations.NamespacedScope => !IsClusterScoped(request),
        _ => true,
    };

    private static bool MatchesResource(IReadOnlyList<string> resources, string resource, string subResource)
    {
        foreach (var entry in resources)
        {
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            var res = slash < 0 ? entry : entry[..slash];
            var sub = slash < 0 ? "" : entry[(slash + 1)..];
            if ((res == "*" || res == resource) && (sub == "*" || sub == subResource))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsOrStar(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list)
        {
            if (item == "*" || item == value)
            {
                return true;
            }
        }

        return false;
    }
}
