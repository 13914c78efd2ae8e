// run-as-non-root: containers must not run as root.
//
// Pod Security "restricted" semantics (Kubernetes PSA v1.37): runAsNonRoot: true at pod level or on every
// container (init, regular and ephemeral), an explicit runAsNonRoot: false anywhere denies, and runAsUser: 0 is
// denied at pod level and on any container. Pods with hostUsers: false run in a user namespace and are exempt.
// Why: a process that is root in its container is root on the node as soon as it escapes it.
//
// With `mutating: true` the policy sets the pod-level runAsNonRoot: true when nothing says otherwise, instead of
// denying. It never overrides an explicit false or a runAsUser: 0: those are still denied.
// Works for Pods and every pod controller (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, RC).

public sealed class Settings
{
    /// <summary>Require runAsNonRoot: true (PSA's runAsNonRoot check). On by default.</summary>
    public bool RequireRunAsNonRoot { get; set; } = true;

    /// <summary>Deny runAsUser: 0 (PSA's runAsUser check). On by default.</summary>
    public bool DenyRunAsUserZero { get; set; } = true;

    public IEnumerable<string> Validate()
    {
        if (!RequireRunAsNonRoot && !DenyRunAsUserZero)
        {
            yield return "settings 'requireRunAsNonRoot' and 'denyRunAsUserZero' are both false: the policy would check nothing";
        }
    }
}

var settings = GetSettings<Settings>();
var spec = PodSpec();
if (spec is null)
{
    return Allow();
}

var problems = new List<string>();
var changed = false;
IReadOnlyList<string> nonRoot = settings.RequireRunAsNonRoot ? PodSecurity.RunAsNonRootViolations(spec) : [];
if (nonRoot.Count > 0 && Mutating && !PodSecurity.UsesUserNamespace(spec))
{
    // Fix what is merely unset; an explicit runAsNonRoot: false is the user's word and is still denied.
    var explicitFalse = spec.SecurityContext?.RunAsNonRoot == false ||
        spec.AllContainers().Any(c => c.Container.SecurityContext?.RunAsNonRoot == false);
    if (!explicitFalse)
    {
        spec.SecurityContext ??= new V1PodSecurityContext();
        spec.SecurityContext.RunAsNonRoot = true;
        changed = true;
        nonRoot = PodSecurity.RunAsNonRootViolations(spec);
    }
}

problems.AddRange(nonRoot);
if (settings.DenyRunAsUserZero)
{
    problems.AddRange(PodSecurity.RunAsUserViolations(spec));
}

if (problems.Count > 0)
{
    return Deny(string.Join("; ", problems));
}

// Only a changed spec is written back: re-serialising an unchanged one can still respell it (a quantity 1 as "1").
return changed ? Mutate(spec) : Allow();
