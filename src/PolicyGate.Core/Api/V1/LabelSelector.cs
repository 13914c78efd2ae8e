namespace PolicyGate.Core.Api.V1;

/// <summary>A Kubernetes label selector. An empty selector matches everything.</summary>
public sealed record LabelSelector(
    IReadOnlyDictionary<string, string> MatchLabels,
    IReadOnlyList<LabelSelectorRequirement> MatchExpressions)
{
    public static LabelSelector Everything { get; } = new(new Dictionary<string, string>(), []);

    public bool IsEmpty => MatchLabels.Count == 0 && MatchExpressions.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var (key, value) in MatchLabels)
        {
            if (labels is null || !labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in MatchExpressions)
        {
            string? actual = null;
            var has = labels is not null && labels.TryGetValue(requirement.Key, out actual);
            var ok = requirement.Operator switch
            {
                LabelSelectorRequirement.In => has && requirement.Values.Contains(actual!),
                LabelSelectorRequirement.NotIn => !has || !requirement.Values.Contains(actual!),
                LabelSelectorRequirement.Exists => has,
                LabelSelectorRequirement.DoesNotExist => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
