namespace PolicyGate.Cli.DryRun;

/// <summary>Parses <c>--namespace-labels NS:key=value,key=value</c>.</summary>
internal static class NamespaceLabelOption
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Parse(IEnumerable<string> values, List<string> errors)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add($"\"{value}\" must look like NAMESPACE:key=value,key=value");
                continue;
            }

            var ns = value[..colon];
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    errors.Add($"\"{pair}\" in \"{value}\" must look like key=value");
                    continue;
                }

                labels[pair[..eq]] = pair[(eq + 1)..];
            }

            result[ns] = labels;
        }

        return result;
    }
}
