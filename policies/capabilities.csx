// capabilities: which Linux capabilities containers may add, and which they must drop.
//
// Settings (all optional):
//   allowedCapabilities:      capabilities a container may add; "*" allows any. Names match exactly and
//                             case-sensitively, as Kubernetes Pod Security does ("chown" or "CAP_CHOWN" is not CHOWN).
//   requiredDropCapabilities: capabilities every container must drop. "ALL" is met only by dropping the literal
//                             ALL; dropping ALL meets every other requirement.
//   defaultAddCapabilities:   capabilities added to every container (mutating policies only); always allowed.
// Without `mutating: true` a missing required drop is a denial; with it, the policy adds the missing drops and
// the default adds as a patch. Windows pods are exempt from required drops (Linux capabilities don't apply).
// A container that adds a capability named in requiredDropCapabilities is always denied, mutating or not and
// whatever allowedCapabilities says ("*" included): the policy never patches a drop in beside such an add. Names
// match exactly here too, so only an add of the same name counts: with requiredDropCapabilities [ALL], adding
// NET_BIND_SERVICE is allowed if allowedCapabilities lists it (Pod Security "restricted"); adding ALL is denied.
// Windows pods are exempt from this rule as from required drops.
// Covers init, regular and ephemeral containers of Pods and every pod controller.
// Why: capabilities such as SYS_ADMIN or NET_RAW give a container powers over the node and its network.

public sealed class Settings
{
    public List<string> AllowedCapabilities { get; set; } = [];
    public List<string> RequiredDropCapabilities { get; set; } = [];
    public List<string> DefaultAddCapabilities { get; set; } = [];

    public IEnumerable<string> Validate()
    {
        foreach (var (setting, names) in new[]
        {
            ("allowedCapabilities", AllowedCapabilities),
            ("requiredDropCapabilities", RequiredDropCapabilities),
            ("defaultAddCapabilities", DefaultAddCapabilities),
        })
        {
            if (names.Any(name => string.IsNullOrWhiteSpace(name)))
            {
                yield return $"setting '{setting}': capability names must not be empty";
            }
        }

        foreach (var name in DefaultAddCapabilities.Intersect(RequiredDropCapabilities, StringComparer.Ordinal))
        {
            yield return $"setting 'defaultAddCapabilities': \"{name}\" is also in requiredDropCapabilities";
        }

        if (DefaultAddCapabilities.Contains(PodSecurity.AllCapabilities) || DefaultAddCapabilities.Contains(PodSecurity.AnyCapability))
        {
            yield return "setting 'defaultAddCapabilities': ALL and * cannot be added by default; name the capabilities";
        }
    }
}

var settings = GetSettings<Settings>();
var spec = PodSpec();
if (spec is null)
{
    return Allow();
}

// An add of a required drop contradicts the policy: deny it rather than patch the drop in beside it.
var contradictions = new List<string>();
if (!PodSecurity.IsWindows(spec))
{
    foreach (var entry in spec.AllContainers())
    {
        var adds = entry.Container.SecurityContext?.Capabilities?.Add ?? new List<string>();
        foreach (var name in adds.Where(c => settings.RequiredDropCapabilities.Contains(c, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal))
        {
            contradictions.Add($"{entry.Describe()} adds {name}, which requiredDropCapabilities says must be dropped");
        }
    }
}

// Decide on the read-only spec; copy it only when there is something to add.
V1PodSpec? fixedSpec = null;
if (Mutating && !PodSecurity.IsWindows(spec))
{
    var containers = spec.AllContainers().ToList();
    for (var i = 0; i < containers.Count; i++)
    {
        var container = containers[i].Container;
        var missingDrops = PodSecurity.MissingDrops(container, settings.RequiredDropCapabilities);
        var drops = container.SecurityContext?.Capabilities?.Drop ?? new List<string>();
        var adds = container.SecurityContext?.Capabilities?.Add ?? new List<string>();
        var missingAdds = settings.DefaultAddCapabilities
            .Distinct(StringComparer.Ordinal)
            .Where(c => !adds.Contains(c) && !drops.Contains(c))
            .ToList();
        if (missingDrops.Count == 0 && missingAdds.Count == 0)
        {
            continue;
        }

        fixedSpec ??= Copy(spec)!;
        var target = fixedSpec.AllContainers().ElementAt(i).Container;
        target.SecurityContext ??= new V1SecurityContext();
        target.SecurityContext.Capabilities ??= new V1Capabilities();
        var capabilities = target.SecurityContext.Capabilities;
        if (missingDrops.Count > 0)
        {
            capabilities.Drop ??= new List<string>();
            foreach (var drop in missingDrops)
            {
                capabilities.Drop.Add(drop);
            }
        }

        if (missingAdds.Count > 0)
        {
            capabilities.Add ??= new List<string>();
            foreach (var add in missingAdds)
            {
                capabilities.Add.Add(add);
            }
        }
    }
}

var checkedSpec = fixedSpec ?? spec;
var allowed = settings.AllowedCapabilities.Concat(settings.DefaultAddCapabilities);
var problems = contradictions
    .Concat(PodSecurity.DisallowedCapabilities(checkedSpec, allowed))
    .Concat(PodSecurity.MissingDrops(checkedSpec, settings.RequiredDropCapabilities))
    .ToList();
if (problems.Count > 0)
{
    return Deny(string.Join("; ", problems));
}

return fixedSpec is null ? Allow() : Mutate(fixedSpec);
