using PolicyGate.Core.Evaluation;

namespace PolicyGate.Core.Registry;

/// <summary>
/// An immutable set of serving policies with their statuses. A new snapshot is built off to the side and swapped in
/// whole, so a request sees one consistent set from start to end.
/// </summary>
public sealed class PolicySnapshot
{
    private readonly Dictionary<string, CompiledPolicy> _byName;

    public PolicySnapshot(IReadOnlyList<CompiledPolicy> policies, IReadOnlyList<PolicyStatus> statuses, long version)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(statuses);
        Policies = policies;
        Statuses = statuses;
        Version = version;
        _byName = policies.ToDictionary(p => p.Name, StringComparer.Ordinal);
        Validating = [.. policies.Where(p => !p.Spec.Mutating)];
        Mutating = [.. policies.Where(p => p.Spec.Mutating)];
    }

    public static PolicySnapshot Empty { get; } = new([], [], 0);

    /// <summary>The serving policies, ordered by name.</summary>
    public IReadOnlyList<CompiledPolicy> Policies { get; }

    /// <summary>The serving policies with <c>mutating: false</c>, in <see cref="Policies"/>' order: what <c>POST /validate</c> runs.</summary>
    public IReadOnlyList<CompiledPolicy> Validating { get; }

    /// <summary>The serving policies with <c>mutating: true</c>, in <see cref="Policies"/>' order: what <c>POST /mutate</c> runs.</summary>
    public IReadOnlyList<CompiledPolicy> Mutating { get; }

    public IReadOnlyList<PolicyStatus> Statuses { get; }

    /// <summary>Increases with every published snapshot.</summary>
    public long Version { get; }

    public CompiledPolicy? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The next snapshot after a reload: policies that loaded replace their old versions, policies that failed keep
    /// their last good version (marked <see cref="PolicyState.Error"/> with the error), and policies whose source
    /// no longer defines them are removed.
    /// </summary>
    /// <param name="loaded">Every policy that loaded in this reload.</param>
    /// <param name="failed">Policies that failed, by name, with the error; a whole broken file lists the names it
    /// defined in the previous snapshot (so they keep serving), or a source-level entry when none are known.</param>
    public PolicySnapshot Next(IReadOnlyList<CompiledPolicy> loaded, IReadOnlyList<PolicyFailure> failed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(failed);
        var previousStatus = Statuses.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var policies = new Dictionary<string, CompiledPolicy>(StringComparer.Ordinal);
        var statuses = new Dictionary<string, PolicyStatus>(StringComparer.Ordinal);
        foreach (var policy in loaded)
        {
            policies[policy.Name] = policy;
            var old = Find(policy.Name);
            var unchanged = old is not null && old.Program.Hash == policy.Program.Hash && old.Resource == policy.Resource &&
                previousStatus.TryGetValue(policy.Name, out var s) && s.State == PolicyState.Ready;
            statuses[policy.Name] = new PolicyStatus(policy.Name, policy.Resource.Source, policy.Program.Hash, policy.Spec.Mode,
                PolicyState.Ready, Serving: true, LastError: null, unchanged ? previousStatus[policy.Name].ChangedAt : now);
        }

        foreach (var failure in failed)
        {
            if (policies.ContainsKey(failure.Name))
            {
                continue;
            }

            var lastGood = Find(failure.Name);
            if (lastGood is not null)
            {
                policies[failure.Name] = lastGood;
            }

            statuses[failure.Name] = new PolicyStatus(failure.Name, failure.Source, lastGood?.Program.Hash, lastGood?.Spec.Mode,
                PolicyState.Error, Serving: lastGood is not null, failure.Error, now);
        }

        var ordered = policies.Values.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        var orderedStatuses = statuses.Values.OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        return new PolicySnapshot(ordered, orderedStatuses, Version + 1);
    }
}
