using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Patch;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Core.Sandbox;

namespace PolicyGate.Core.Evaluation;

/// <summary>Runs one compiled policy on one request and turns what the script did into a verdict and a decision.</summary>
public static class PolicyEvaluator
{
    /// <summary>
    /// Runs the script under its budget and takes what it decided as plain, bounded data before the budget ends: the
    /// host keeps no object of the script's (no exception, no JSON value of a script type), and nothing it builds from
    /// the answer is larger than <see cref="PolicyOutputLimits"/>.
    /// </summary>
    public static PolicyVerdict Run(CompiledPolicy policy, ParsedRequest parsed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(parsed);
        var timeout = TimeSpan.FromSeconds(policy.Spec.TimeoutSeconds);
        using var context = new PolicyContext(parsed, policy.Name, policy.Spec.Mutating, policy.Spec.Settings, policy.CreateSettings, timeout, cancellationToken, policy.Program.Models);
        var program = policy.Program;
        program.AcquireLease(); // a program replaced while this runs is unloaded only when the run ends

        // The budget the woven checks in the script enforce: time, allocations, stack, and the caller's token.
        using var budget = ScriptBudget.Start(timeout, cancellationToken: cancellationToken);
        JsonNode? mutated;
        try
        {
            program.Run(context);

            // Still inside the budget: a JSON value of the script's own type runs the script's code as it is written.
            mutated = context.MutatedObject is { } node ? PlainJson.Copy(node) : null;
        }
        catch (Exception) when (budget.Stopped != BudgetStop.None)
        {
            return Stopped(budget);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            return TimedOut(policy);
        }
        catch (Exception ex)
        {
            // Per-policy isolation: a throwing script is this policy's failure, never the caller's. Only its text is
            // kept, read without trusting the exception (its Message may be the script's own code, and throw).
            return new PolicyVerdict.Failed(ex is PolicyRuntimeException or PolicyOutputException ? ExceptionText.Message(ex) : ExceptionText.Describe(ex), TimedOut: false);
        }
        finally
        {
            program.ReleaseLease();
        }

        if (budget.Stopped != BudgetStop.None || budget.CheckFinal() != BudgetStop.None)
        {
            // The stop was swallowed on its way out (by library code the script called), or the last library call went
            // past the budget with no woven check after it (one 2 GB ToArray, say): the answer is not trusted.
            return Stopped(budget);
        }

        if (context.OverBudget)
        {
            // A script that returns after its budget ran out may have been cut short: its answer is not trusted.
            return TimedOut(policy);
        }

        if (context.OutputExceeded)
        {
            // The script caught the refusal and went on: it still handed back too much.
            return new PolicyVerdict.Failed(
                $"the policy's denial messages, warnings and audit annotations exceed {PolicyOutputLimits.MaxTextBytes / 1024} KiB", TimedOut: false);
        }

        if (context.Denials.Count > 0)
        {
            return new PolicyVerdict.Denied(string.Join("; ", context.Denials), context.Warnings, context.AuditAnnotations);
        }

        if (mutated is not null)
        {
            return FromMutation(policy, parsed.Request, mutated, context.Warnings, context.AuditAnnotations);
        }

        return new PolicyVerdict.Allowed(null, null, context.Warnings, context.AuditAnnotations);
    }

    /// <summary>
    /// The verdict on a script that returned a mutation (here or in its worker process): allowed with the patch
    /// against the request's object, or failed when the policy may not mutate or no patch can be computed.
    /// </summary>
    public static PolicyVerdict FromMutation(
        CompiledPolicy policy, AdmissionRequest request, JsonNode mutated, IReadOnlyList<string> warnings, IReadOnlyDictionary<string, string>? auditAnnotations)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(mutated);
        if (!policy.Spec.Mutating)
        {
            return new PolicyVerdict.Failed(
                "the script returned a mutation but the policy has spec.mutating: false (set it to true to allow patches)",
                TimedOut: false);
        }

        JsonArray patch;
        try
        {
            patch = JsonPatch.CreateDiff(ObjectNode(request), mutated);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
        {
            // A field given twice, in the request's object (the API server never sends one) or in a node the script
            // built: no JsonObject can hold it, so no patch can be computed, and the mutation is this policy's failure.
            return new PolicyVerdict.Failed($"cannot compute the patch: {ExceptionText.Message(ex)}", TimedOut: false);
        }

        return new PolicyVerdict.Allowed(patch.Count > 0 ? patch : null, patch.Count > 0 ? mutated : null, warnings, auditAnnotations);
    }

    /// <summary>Evaluates and applies the policy's mode, failurePolicy and message.</summary>
    public static PolicyDecision Decide(CompiledPolicy policy, AdmissionRequest request, CancellationToken cancellationToken = default) =>
        Decide(policy, new ParsedRequest(request), cancellationToken);

    /// <summary>Evaluates with a request already parsed (shared by every policy judging the same request).</summary>
    public static PolicyDecision Decide(CompiledPolicy policy, ParsedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var started = Stopwatch.GetTimestamp();
        var verdict = policy.Program is IRemotePolicyProgram remote
            ? remote.Evaluate(policy, request.Request, cancellationToken)
            : Run(policy, request, cancellationToken);
        var decision = ToDecision(policy, verdict);
        decision.Elapsed = Stopwatch.GetElapsedTime(started);
        return decision;
    }

    /// <summary>
    /// Reading and writing the request's object around a mutation: as deep as an AdmissionReview may nest (the
    /// serializer's default, 64, is less), and a field given twice refused when read, since no JsonObject can hold it.
    /// </summary>
    internal static JsonSerializerOptions ObjectJson { get; } = new() { MaxDepth = AdmissionReviewDocument.MaxDepth };

    private static readonly JsonDocumentOptions ObjectReadOptions = new() { MaxDepth = AdmissionReviewDocument.MaxDepth, AllowDuplicateProperties = false };

    /// <summary>The request's object as a JsonNode (what a mutation is diffed against), or null.</summary>
    /// <exception cref="JsonException">The object has a field twice.</exception>
    internal static JsonNode? ObjectNode(AdmissionRequest request) =>
        request.Object is { ValueKind: JsonValueKind.Object } o ? JsonNode.Parse(o.GetRawText(), documentOptions: ObjectReadOptions) : null;

    /// <summary>The verdict on a script its budget stopped, decided by why it was stopped (not by what was thrown).</summary>
    private static PolicyVerdict.Failed Stopped(ScriptBudget budget) =>
        new($"evaluation stopped: {budget.Explain()}", TimedOut: budget.Stopped == BudgetStop.Time);

    private static PolicyVerdict.Failed TimedOut(CompiledPolicy policy) =>
        new($"evaluation stopped: it ran past its time budget (timeoutSeconds: {policy.Spec.TimeoutSeconds})", TimedOut: true);

    public static PolicyDecision ToDecision(CompiledPolicy policy, PolicyVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(verdict);
        var name = policy.Name;
        var mode = policy.Spec.Mode;
        var monitor = mode == PolicyMode.Monitor;
        switch (verdict)
        {
            case PolicyVerdict.Denied denied:
            {
                var message = policy.Spec.Message ?? denied.Message;
                var warnings = monitor ? Append(denied.Warnings, $"policy {name} (monitor mode) would deny: {message}") : denied.Warnings;
                return new PolicyDecision(name, mode, DecisionOutcome.Denied, monitor, message, warnings, null, denied.AuditAnnotations)
                {
                    Detail = policy.Spec.Message is null ? null : denied.Message,
                };
            }

            case PolicyVerdict.Failed failed:
            {
                var message = $"policy {name} failed: {failed.Error}";
                if (monitor || policy.Spec.FailurePolicy == FailurePolicy.Ignore)
                {
                    var why = monitor ? "monitor mode" : "failurePolicy: Ignore";
                    return new PolicyDecision(name, mode, DecisionOutcome.Failed, true, message, [$"{message} (allowed, {why})"], null, null)
                    {
                        TimedOut = failed.TimedOut,
                    };
                }

                return new PolicyDecision(name, mode, DecisionOutcome.Failed, false, message, [], null, null) { TimedOut = failed.TimedOut };
            }

            case PolicyVerdict.Allowed { Patch: not null } mutated when monitor:
                return new PolicyDecision(name, mode, DecisionOutcome.Allowed, true, null,
                    Append(mutated.Warnings, $"policy {name} (monitor mode) would change the object; the patch is not applied"), null, mutated.AuditAnnotations);

            case PolicyVerdict.Allowed allowed:
                return new PolicyDecision(name, mode, allowed.Patch is null ? DecisionOutcome.Allowed : DecisionOutcome.Mutated, true, null,
                    allowed.Warnings, allowed.Patch, allowed.AuditAnnotations)
                {
                    MutatedObject = allowed.MutatedObject,
                };

            default:
                throw new ArgumentOutOfRangeException(nameof(verdict), verdict.GetType().Name, "unknown verdict");
        }
    }

    private static string[] Append(IReadOnlyList<string> list, string item) => [.. list, item];
}
