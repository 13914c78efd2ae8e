// validate-pod-security-standards: the seed policy of the design document, in one script.
//
// Settings:
//   requiredLabels:      labels the object must carry (metadata.labels);
//   requiredAnnotations: annotations the object must carry (metadata.annotations);
//   enforceRunAsNonRoot: when true, containers must run as non-root (the run-as-non-root built-in's rules);
//   allowedCapabilities: capabilities containers may add; [] allows none, "*" any; leave it out to not check.
// Every problem is listed in one denial, so a user fixes them all at once.
// Why: ownership labels make workloads traceable, and root and extra capabilities are the commonest ways out
// of a container.

public sealed class Settings
{
    public List<string> RequiredLabels { get; set; } = [];
    public List<string> RequiredAnnotations { get; set; } = [];
    public bool EnforceRunAsNonRoot { get; set; }
    public List<string>? AllowedCapabilities { get; set; }

    public IEnumerable<string> Validate()
    {
        foreach (var (setting, keys) in new[] { ("requiredLabels", RequiredLabels), ("requiredAnnotations", RequiredAnnotations) })
        {
            if (keys.Any(key => string.IsNullOrWhiteSpace(key)))
            {
                yield return $"setting '{setting}': names must not be empty";
            }
        }

        if (AllowedCapabilities?.Any(name => string.IsNullOrWhiteSpace(name)) == true)
        {
            yield return "setting 'allowedCapabilities': capability names must not be empty";
        }
    }
}

var settings = GetSettings<Settings>();
if (Object is null)
{
    // DELETE and CONNECT requests carry no object: nothing to judge, and a non-compliant object must stay deletable.
    return Allow();
}

var problems = new List<string>();
var labels = Metadata?.Labels;
var annotations = Metadata?.Annotations;

var missingLabels = settings.RequiredLabels.Where(l => labels is null || !labels.ContainsKey(l)).ToList();
if (missingLabels.Count > 0)
{
    problems.Add($"missing required labels: {string.Join(", ", missingLabels)}");
}

var missingAnnotations = settings.RequiredAnnotations.Where(a => annotations is null || !annotations.ContainsKey(a)).ToList();
if (missingAnnotations.Count > 0)
{
    problems.Add($"missing required annotations: {string.Join(", ", missingAnnotations)}");
}

var spec = PodSpec();
if (spec is not null)
{
    if (settings.EnforceRunAsNonRoot)
    {
        problems.AddRange(PodSecurity.RunAsNonRootViolations(spec));
        problems.AddRange(PodSecurity.RunAsUserViolations(spec));
    }

    if (settings.AllowedCapabilities is { } allowed)
    {
        problems.AddRange(PodSecurity.DisallowedCapabilities(spec, allowed));
    }
}

return problems.Count > 0 ? Deny(string.Join("; ", problems)) : Allow();
