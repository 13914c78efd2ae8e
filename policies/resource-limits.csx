// resource-limits: CPU and memory limits and requests of every init and regular container.
//
// Settings (all optional):
//   requireLimits:  true to require both cpu and memory limits on every container;
//   maxLimits:      {cpu, memory} the largest limit a container may set;
//   maxRequests:    {cpu, memory} the largest request a container may make;
//   defaultLimits:  {cpu, memory} set on containers that have no limit of their own (mutating policies only).
//                   A default below the container's own request for that resource is not set: the API server
//                   would reject the patched pod (a limit may not be below its request), so the policy denies
//                   instead, naming the container, the resource, the request and the default. Equal is fine.
// Quantities use Kubernetes' notation (500m, 2, 512Mi, 1Gi, 1e9) and compare exactly as Kubernetes does.
// Ephemeral containers are not checked: Kubernetes does not let them have resources.
// Why: a container without a memory limit can take a node's memory from everything else on it.

public sealed class Settings
{
    public bool RequireLimits { get; set; }
    public Dictionary<string, ResourceQuantity> MaxLimits { get; set; } = [];
    public Dictionary<string, ResourceQuantity> MaxRequests { get; set; } = [];
    public Dictionary<string, ResourceQuantity> DefaultLimits { get; set; } = [];

    public IEnumerable<string> Validate()
    {
        foreach (var (setting, map) in new[] { ("maxLimits", MaxLimits), ("maxRequests", MaxRequests), ("defaultLimits", DefaultLimits) })
        {
            foreach (var key in map.Keys.Where(k => k is not ("cpu" or "memory")))
            {
                yield return $"setting '{setting}.{key}': only cpu and memory are supported";
            }
        }

        foreach (var (resource, value) in DefaultLimits)
        {
            if (MaxLimits.TryGetValue(resource, out var max) && value > max)
            {
                yield return $"setting 'defaultLimits.{resource}': {value} is above maxLimits.{resource} ({max})";
            }
        }
    }
}

var settings = GetSettings<Settings>();
var spec = PodSpec();
if (spec is null)
{
    return Allow();
}

string[] resources = ["cpu", "memory"];
var problems = new List<string>();

// Decide on the read-only spec; copy it only when a default limit has to be added. A default below the
// container's request is refused (the index of the container in AllContainers and the resource), not added.
V1PodSpec? fixedSpec = null;
var refused = new HashSet<(int Container, string Resource)>();
if (Mutating && settings.DefaultLimits.Count > 0)
{
    var containers = spec.AllContainers().ToList();
    for (var i = 0; i < containers.Count; i++)
    {
        if (containers[i].Kind == ContainerKind.Ephemeral)
        {
            continue;
        }

        var current = containers[i].Container.Resources?.Limits;
        var requests = containers[i].Container.Resources?.Requests;
        var missing = new List<KeyValuePair<string, ResourceQuantity>>();
        foreach (var (resource, value) in settings.DefaultLimits.Where(d => current is null || !current.ContainsKey(d.Key)))
        {
            if (requests is not null && requests.TryGetValue(resource, out var request) && request > value)
            {
                problems.Add(
                    $"{containers[i].Describe()}: the default {resource} limit {value} is below its {resource} request {request}; set a limit explicitly");
                refused.Add((i, resource));
            }
            else
            {
                missing.Add(new(resource, value));
            }
        }

        if (missing.Count == 0)
        {
            continue;
        }

        fixedSpec ??= Copy(spec)!;
        var target = fixedSpec.AllContainers().ElementAt(i).Container;
        target.Resources ??= new V1ResourceRequirements();
        target.Resources.Limits ??= new Dictionary<string, ResourceQuantity>();
        foreach (var (resource, value) in missing)
        {
            target.Resources.Limits[resource] = value;
        }
    }
}

var checkedContainers = (fixedSpec ?? spec).AllContainers().ToList();
for (var i = 0; i < checkedContainers.Count; i++)
{
    var entry = checkedContainers[i];
    if (entry.Kind == ContainerKind.Ephemeral)
    {
        continue;
    }

    var container = entry.Container;
    var limits = container.Resources?.Limits;
    var requests = container.Resources?.Requests;
    if (settings.RequireLimits)
    {
        // A limit whose default was refused is already reported, with the reason.
        var missing = resources.Where(r => (limits is null || !limits.ContainsKey(r)) && !refused.Contains((i, r))).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"{entry.Describe()} has no {string.Join(" or ", missing)} limit");
        }
    }

    foreach (var (resource, max) in settings.MaxLimits)
    {
        if (limits is not null && limits.TryGetValue(resource, out var value) && value > max)
        {
            problems.Add($"{entry.Describe()} {resource} limit {value} is above the maximum {max}");
        }
    }

    foreach (var (resource, max) in settings.MaxRequests)
    {
        if (requests is not null && requests.TryGetValue(resource, out var value) && value > max)
        {
            problems.Add($"{entry.Describe()} {resource} request {value} is above the maximum {max}");
        }
    }
}

if (problems.Count > 0)
{
    return Deny(string.Join("; ", problems));
}

return fixedSpec is null ? Allow() : Mutate(fixedSpec);
