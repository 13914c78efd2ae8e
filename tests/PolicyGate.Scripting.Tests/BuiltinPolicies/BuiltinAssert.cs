using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.BuiltinPolicies;

/// <summary>Assertions on the decisions of the built-in policies, with the whole decision in every failure message.</summary>
internal static class BuiltinAssert
{
    /// <summary>Allowed as is: no denial, no failure, no patch.</summary>
    public static void Allowed(PolicyDecision decision)
    {
        Assert.True(
            decision is { Outcome: DecisionOutcome.Allowed, Allowed: true, Patch: null, Message: null },
            "expected an allowed decision without a patch, got " + Describe(decision));
    }

    /// <summary>Denied by the script itself (not a failure that failurePolicy turned into a denial); returns the message.</summary>
    public static string Denied(PolicyDecision decision)
    {
        Assert.True(
            decision is { Outcome: DecisionOutcome.Denied, Allowed: false, Patch: null, Message: not null },
            "expected a denial, got " + Describe(decision));
        return decision.Message!;
    }

    /// <summary>Denied, and the message contains every one of <paramref name="parts"/>.</summary>
    public static string DeniedWith(PolicyDecision decision, params string[] parts)
    {
        var message = Denied(decision);
        foreach (var part in parts)
        {
            Assert.Contains(part, message, StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>Allowed with exactly the patch <paramref name="expectedPatchJson"/> (compared with <see cref="JsonNode.DeepEquals"/>).</summary>
    public static void Patched(PolicyDecision decision, string expectedPatchJson)
    {
        Assert.True(
            decision is { Outcome: DecisionOutcome.Mutated, Allowed: true, Patch: not null },
            "expected a mutation, got " + Describe(decision));
        var expected = JsonNode.Parse(expectedPatchJson);
        Assert.True(
            JsonNode.DeepEquals(expected, decision.Patch),
            $"patch differs\nexpected: {expected?.ToJsonString()}\nactual:   {decision.Patch!.ToJsonString()}");
    }

    /// <summary>
    /// <see cref="Patched(PolicyDecision, string)"/> for an object of <paramref name="kind"/>: <c>$spec</c> in the expected
    /// patch stands for the JSON Pointer of the kind's pod spec (<see cref="Workloads.PodSpecPointer"/>).
    /// </summary>
    public static void PatchedAt(PolicyDecision decision, string kind, string expectedPatchJson) =>
        Patched(decision, expectedPatchJson.Replace("$spec", Workloads.PodSpecPointer(kind), StringComparison.Ordinal));

    /// <summary>Monitor mode: allowed, never patched, with a warning that says what protect mode would have done.</summary>
    public static void MonitoredDenial(PolicyDecision decision, string messagePart)
    {
        Assert.True(
            decision is { Outcome: DecisionOutcome.Denied, Allowed: true, Patch: null, Message: not null },
            "expected a monitored (allowed) denial, got " + Describe(decision));
        Assert.Contains(messagePart, decision.Message!, StringComparison.Ordinal);
        Assert.Contains(decision.Warnings, w => w.Contains("would deny", StringComparison.Ordinal) && w.Contains(messagePart, StringComparison.Ordinal));
    }

    /// <summary>Monitor mode on a mutating policy: allowed without a patch, and a warning that a change was not applied.</summary>
    public static void MonitoredMutation(PolicyDecision decision)
    {
        Assert.True(
            decision is { Outcome: DecisionOutcome.Allowed, Allowed: true, Patch: null, MutatedObject: null },
            "expected a monitored mutation (allowed, no patch), got " + Describe(decision));
        Assert.Contains(decision.Warnings, w => w.Contains("would change the object", StringComparison.Ordinal));
    }

    /// <summary>
    /// Loads a built-in with <paramref name="settingsYaml"/> (a one-line YAML flow mapping) and asserts it is rejected;
    /// returns every error message, joined by new lines.
    /// </summary>
    public static string RejectedSettings(string module, string settingsYaml, bool mutating = false)
    {
        var result = TestPolicies.Load(TestPolicies.BuiltinYaml(module, settingsYaml, mutating));
        Assert.Empty(result.Policies);
        Assert.NotEmpty(result.Errors);
        Assert.All(result.Errors, e => Assert.StartsWith("spec.settings: ", e.Message, StringComparison.Ordinal));
        return string.Join("\n", result.Errors.Select(e => e.Message));
    }

    /// <summary>Adds annotations to the object's own metadata (<see cref="Workloads.Wrap"/> only sets labels).</summary>
    public static JsonObject WithAnnotations(JsonObject manifest, string annotationsJson)
    {
        manifest["metadata"]!["annotations"] = JsonNode.Parse(annotationsJson);
        return manifest;
    }

    private static string Describe(PolicyDecision d) =>
        $"outcome={d.Outcome} allowed={d.Allowed} message={d.Message ?? "(none)"} patch={d.Patch?.ToJsonString() ?? "(none)"} "
        + $"warnings=[{string.Join(" | ", d.Warnings)}]";
}
