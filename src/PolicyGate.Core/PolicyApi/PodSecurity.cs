using PolicyGate.Core.Kubernetes;

namespace PolicyGate.Core.PolicyApi;

/// <summary>
/// The Pod Security Standards checks the built-in policies share, with the semantics of Kubernetes Pod Security
/// Admission (v1.37). Every check covers init, regular and ephemeral containers. Scripts may call these too.
/// </summary>
public static class PodSecurity
{
    public const string AllCapabilities = "ALL";
    public const string AnyCapability = "*";

    /// <summary>Pods with <c>hostUsers: false</c> run in a user namespace, where UID 0 is not the host's root: PSA exempts them.</summary>
    public static bool UsesUserNamespace(V1PodSpec spec) => spec?.HostUsers == false;

    public static bool IsWindows(V1PodSpec spec) => string.Equals(spec?.Os?.Name, "windows", StringComparison.Ordinal);

    /// <summary>
    /// PSA <c>runAsNonRoot</c>: <c>runAsNonRoot: true</c> at pod level or on every container, and an explicit
    /// <c>false</c> anywhere is a violation even when the pod level says true.
    /// </summary>
    public static IReadOnlyList<string> RunAsNonRootViolations(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var violations = new List<string>();
        if (UsesUserNamespace(spec))
        {
            return violations;
        }

        var podLevel = spec.SecurityContext?.RunAsNonRoot;
        if (podLevel == false)
        {
            violations.Add("pod must not set securityContext.runAsNonRoot=false");
        }

        var unset = new List<string>();
        foreach (var entry in spec.AllContainers())
        {
            var value = entry.Container.SecurityContext?.RunAsNonRoot;
            if (value == false)
            {
                violations.Add($"{entry.Describe()} must not set securityContext.runAsNonRoot=false");
            }
            else if (value is null && podLevel != true)
            {
                unset.Add(entry.Describe());
            }
        }

        if (unset.Count > 0)
        {
            violations.Add($"pod or {string.Join(", ", unset)} must set securityContext.runAsNonRoot=true");
        }

        return violations;
    }

    /// <summary>PSA <c>runAsUser</c>: <c>runAsUser: 0</c> is a violation at pod level and on any container.</summary>
    public static IReadOnlyList<string> RunAsUserViolations(V1PodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var violations = new List<string>();
        if (UsesUserNamespace(spec))
        {
            return violations;
        }

        if (spec.SecurityContext?.RunAsUser == 0)
        {
            violations.Add("pod must not set securityContext.runAsUser=0");
        }

        foreach (var entry in spec.AllContainers())
        {
            if (entry.Container.SecurityContext?.RunAsUser == 0)
            {
                violations.Add($"{entry.Describe()} must not set securityContext.runAsUser=0");
            }
        }

        return violations;
    }

    /// <summary>
    /// Capabilities a container adds that are not allowed. Names match exactly and case-sensitively, as in PSA
    /// (<c>chown</c> and <c>CAP_CHOWN</c> are not <c>CHOWN</c>); <c>*</c> in <paramref name="allowed"/> allows any.
    /// </summary>
    public static IReadOnlyList<string> DisallowedCapabilities(V1PodSpec spec, IEnumerable<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var allowedSet = new HashSet<string>(allowed ?? [], StringComparer.Ordinal);
        var violations = new List<string>();
        if (allowedSet.Contains(AnyCapability))
        {
            return violations;
        }

        foreach (var entry in spec.AllContainers())
        {
            var bad = (entry.Container.SecurityContext?.Capabilities?.Add ?? [])
                .Where(c => !allowedSet.Contains(c))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (bad.Count > 0)
            {
                violations.Add($"{entry.Describe()} must not add capabilities {Quote(bad)}{AllowedHint(allowedSet)}");
            }
        }

        return violations;
    }

    /// <summary>
    /// Required drops a container does not make. Dropping <c>ALL</c> satisfies every requirement; a requirement of
    /// <c>ALL</c> is met only by the literal <c>ALL</c> (dropping each capability by name is not the same).
    /// Windows pods are exempt: Linux capabilities do not apply to them.
    /// </summary>
    public static IReadOnlyList<string> MissingDrops(V1PodSpec spec, IEnumerable<string> requiredDrops)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var required = (requiredDrops ?? []).Distinct(StringComparer.Ordinal).ToList();
        var violations = new List<string>();
        if (required.Count == 0 || IsWindows(spec))
        {
            return violations;
        }

        foreach (var entry in spec.AllContainers())
        {
            var missing = MissingDrops(entry.Container, required);
            if (missing.Count > 0)
            {
                violations.Add($"{entry.Describe()} must drop capabilities {Quote(missing)}");
            }
        }

        return violations;
    }

    /// <summary>
    /// The required drops one container does not make, each named once (see
    /// <see cref="MissingDrops(V1PodSpec, IEnumerable{string})"/>).
    /// </summary>
    public static IReadOnlyList<string> MissingDrops(V1Container container, IReadOnlyCollection<string> requiredDrops)
    {
        ArgumentNullException.ThrowIfNull(container);
        var drops = container.SecurityContext?.Capabilities?.Drop ?? [];
        if (drops.Contains(AllCapabilities))
        {
            return [];
        }

        return requiredDrops.Distinct(StringComparer.Ordinal).Where(r => !drops.Contains(r)).ToList();
    }

    private static string AllowedHint(HashSet<string> allowed) =>
        allowed.Count == 0 ? " (no capability may be added)" : $" (allowed: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})";

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"\"{n}\""));
}
