// required-labels: labels and annotations an object must carry, and what their values may look like.
//
// Settings (all optional):
//   requiredLabels:       label keys that must be present;
//   requiredAnnotations:  annotation keys that must be present;
//   labelPatterns:        label key -> regular expression its value must match when the label is present
//                         (list the key in requiredLabels too to make it mandatory);
//   annotationPatterns:   the same for annotations.
// Patterns are .NET regular expressions, anchored by you (use ^...$ for a whole-value match); they are checked
// when the policy loads, and run with a match timeout.
// Checks the object's own metadata (for a Deployment, the Deployment's labels, not its pod template's).
// Why: ownership and cost-allocation labels are only useful if every object has them, spelled one way.

using System.Text.RegularExpressions;

public sealed class Settings
{
    private Dictionary<string, Regex>? _labelRegexes;
    private Dictionary<string, Regex>? _annotationRegexes;

    public List<string> RequiredLabels { get; set; } = [];
    public List<string> RequiredAnnotations { get; set; } = [];
    public Dictionary<string, string> LabelPatterns { get; set; } = [];
    public Dictionary<string, string> AnnotationPatterns { get; set; } = [];

    public Dictionary<string, Regex> LabelRegexes() => _labelRegexes ??= Compile(LabelPatterns);
    public Dictionary<string, Regex> AnnotationRegexes() => _annotationRegexes ??= Compile(AnnotationPatterns);

    public IEnumerable<string> Validate()
    {
        // A setting written as null (or "requiredLabels:" with nothing after it) replaces the empty default with null.
        foreach (var (setting, keys) in new[] { ("requiredLabels", RequiredLabels), ("requiredAnnotations", RequiredAnnotations) })
        {
            if (keys is null)
            {
                yield return $"setting '{setting}' must be a list of names, not null (leave it out for none)";
            }
            else if (keys.Any(key => string.IsNullOrWhiteSpace(key)))
            {
                yield return $"setting '{setting}': names must not be empty";
            }
        }

        foreach (var (setting, patterns) in new[] { ("labelPatterns", LabelPatterns), ("annotationPatterns", AnnotationPatterns) })
        {
            if (patterns is null)
            {
                yield return $"setting '{setting}' must be a map of name to regular expression, not null (leave it out for none)";
                continue;
            }

            foreach (var (key, pattern) in patterns)
            {
                string? error = null;
                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException ex)
                {
                    error = $"setting '{setting}.{key}': invalid regular expression \"{pattern}\": {ex.Message}";
                }

                if (error is not null)
                {
                    yield return error;
                }
            }
        }
    }

    private static Dictionary<string, Regex> Compile(Dictionary<string, string> patterns) =>
        patterns.ToDictionary(p => p.Key, p => new Regex(p.Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
}

var settings = GetSettings<Settings>();
if (Object is null)
{
    // DELETE and CONNECT requests carry no object: nothing to judge, and a non-compliant object must stay deletable.
    return Allow();
}

var labels = Metadata?.Labels ?? new Dictionary<string, string>();
var annotations = Metadata?.Annotations ?? new Dictionary<string, string>();
var problems = new List<string>();

void Check(string what, IDictionary<string, string> actual, List<string> required, Dictionary<string, Regex> patterns)
{
    var missing = required.Where(k => !actual.ContainsKey(k)).ToList();
    if (missing.Count > 0)
    {
        problems.Add($"missing required {what}s: {string.Join(", ", missing)}");
    }

    foreach (var (key, regex) in patterns)
    {
        if (actual.TryGetValue(key, out var value) && !regex.IsMatch(value ?? ""))
        {
            problems.Add($"{what} {key}=\"{value}\" does not match {regex}");
        }
    }
}

Check("label", labels, settings.RequiredLabels, settings.LabelRegexes());
Check("annotation", annotations, settings.RequiredAnnotations, settings.AnnotationRegexes());

return problems.Count > 0 ? Deny(string.Join("; ", problems)) : Allow();
