namespace PolicyGate.Core.Api.V1;

/// <summary>
/// Rules that can never match a request: the API server would register them and never call the webhook. Today one
/// kind is known for certain without asking a cluster: a rule for the core group alone (<c>apiGroups: [""]</c>) that
/// names a resource the core group does not have (a custom resource always lives in a group of its own), or a core
/// version other than <c>v1</c>. The seed's own <c>sql-size-restriction</c> is such a rule (<c>sqlclaims</c>).
/// </summary>
public static class RuleReachability
{
    /// <summary>The resources (and subresources) of the core group, <c>v1</c>, as Kubernetes 1.32 serves them.</summary>
    public static IReadOnlySet<string> CoreResources { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "bindings", "componentstatuses", "configmaps", "endpoints", "events", "limitranges", "namespaces",
        "namespaces/finalize", "namespaces/status", "nodes", "nodes/proxy", "nodes/status", "persistentvolumeclaims",
        "persistentvolumeclaims/status", "persistentvolumes", "persistentvolumes/status", "pods", "pods/attach",
        "pods/binding", "pods/ephemeralcontainers", "pods/eviction", "pods/exec", "pods/log", "pods/portforward",
        "pods/proxy", "pods/resize", "pods/status", "podtemplates", "replicationcontrollers", "replicationcontrollers/scale",
        "replicationcontrollers/status", "resourcequotas", "resourcequotas/status", "secrets", "serviceaccounts",
        "serviceaccounts/token", "services", "services/proxy", "services/status",
    };

    /// <summary>Why each rule of <paramref name="spec"/> that can never match cannot, as "spec.rules[i]: ..." lines.</summary>
    public static IReadOnlyList<string> Unreachable(PolicySpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var found = new List<string>();
        for (var i = 0; i < spec.Rules.Count; i++)
        {
            var rule = spec.Rules[i];
            if (rule.ApiGroups is not [""])
            {
                continue; // another group, or several: only a cluster knows what they serve
            }

            if (!rule.ApiVersions.Any(v => v is "v1" or "*"))
            {
                found.Add($"spec.rules[{i}]: the core API group (\"\") serves only version v1, not {string.Join(", ", rule.ApiVersions)}: this rule never matches");
            }

            var missing = rule.Resources.Where(r => !Exists(r)).ToList();
            if (missing.Count > 0)
            {
                found.Add(
                    $"spec.rules[{i}]: the core API group (\"\") has no resource {string.Join(", ", missing.Select(r => $"\"{r}\""))}: " +
                    "the API server never calls this webhook for it (a custom resource lives in its own group: set apiGroups to it)");
            }
        }

        return found;
    }

    private static bool Exists(string resource)
    {
        if (resource is "*" or "*/*" || CoreResources.Contains(resource))
        {
            return true;
        }

        var slash = resource.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return false;
        }

        var (main, sub) = (resource[..slash], resource[(slash + 1)..]);
        return main == "*" ? CoreResources.Any(r => r.EndsWith("/" + sub, StringComparison.Ordinal))
            : sub == "*" && CoreResources.Contains(main);
    }
}
