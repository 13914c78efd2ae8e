using PolicyGate.Cli.DryRun;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Cli.Commands;

/// <summary>What <c>dry-run</c> and <c>webhook-config</c> say about loaded policies that cannot mean what they say.</summary>
internal static class RuleWarnings
{
    /// <summary>One warning per rule of <paramref name="policies"/> that can never match (<see cref="RuleReachability"/>).</summary>
    public static List<DryRunWarning> For(IEnumerable<CompiledPolicy> policies) =>
        policies.SelectMany(p => RuleReachability.Unreachable(p.Spec).Select(m => new DryRunWarning(p.Resource.Source, $"policy {p.Resource.DisplayName}: {m}"))).ToList();
}
