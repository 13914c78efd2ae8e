// allowed-sizes: the sizes a custom resource may ask for, e.g. small/medium/large for a database claim.
//
// Settings:
//   allowedSizes: the allowed values (compared exactly), each at most 63 characters. Required.
//   sizeField:    where the size is, as a dotted path from the object root; default "spec.size".
// A missing size is denied: an object that does not say its size would otherwise slip past the limit.
// Why: platform teams offer a few tested sizes of a service; anything else is an unsupported configuration.

public sealed class Settings
{
    public const int MaxSizeLength = 63;

    public List<string> AllowedSizes { get; set; } = [];
    public string SizeField { get; set; } = "spec.size";

    public IEnumerable<string> Validate()
    {
        if (AllowedSizes.Count == 0)
        {
            yield return "setting 'allowedSizes' must list at least one size";
        }

        for (var i = 0; i < AllowedSizes.Count; i++)
        {
            if (AllowedSizes[i] is { Length: > MaxSizeLength } size)
            {
                yield return $"setting 'allowedSizes[{i}]' is {size.Length} characters long: a size is a short name of at most {MaxSizeLength}";
            }
        }

        if (SizeField is not null && SizeField.Length > 253)
        {
            yield return $"setting 'sizeField' is {SizeField.Length} characters long: a dotted path such as spec.size is at most 253";
        }
        else if (string.IsNullOrWhiteSpace(SizeField) || SizeField.Split('.').Any(part => string.IsNullOrEmpty(part)))
        {
            yield return $"setting 'sizeField': \"{SizeField}\" is not a dotted path such as spec.size";
        }
    }
}

var settings = GetSettings<Settings>();
if (Object is null)
{
    // DELETE and CONNECT requests carry no object: nothing to judge, and a non-compliant object must stay deletable.
    return Allow();
}

JsonNode? node = Object;
foreach (var segment in settings.SizeField.Split('.'))
{
    node = node is JsonObject obj ? obj[segment] : null;
}

// The denial names the allowed sizes (the first 20) and quotes the object's own value (shortened): both stay readable.
const int Listed = 20;
var allowed = string.Join(", ", settings.AllowedSizes.Take(Listed))
    + (settings.AllowedSizes.Count > Listed ? $" and {settings.AllowedSizes.Count - Listed} more" : "");
if (node is null)
{
    return Deny($"{Kind} {Name} has no {settings.SizeField}; it must be one of: {allowed}");
}

var size = node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node.ToJsonString();
if (!settings.AllowedSizes.Contains(size))
{
    var shown = size.Length > Settings.MaxSizeLength ? size[..Settings.MaxSizeLength] + "…" : size;
    return Deny($"{Kind} {Name}: {settings.SizeField} \"{shown}\" is not allowed; it must be one of: {allowed}");
}

return Allow();
