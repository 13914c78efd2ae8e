using System.Diagnostics;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// PolicyGate's <see cref="ActivitySource"/> (the BCL's tracing API; OpenTelemetry is wired in by the server only):
/// the server opens a span per admission request, and <see cref="AdmissionEvaluator"/> a child span per policy it
/// evaluates. Nothing listens unless the server registered a tracer provider, and then
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null without allocating.
/// </summary>
public static class EvaluationTracing
{
    public const string SourceName = "PolicyGate";

    /// <summary>The name of the span around one policy's evaluation of one request.</summary>
    public const string PolicySpanName = "policygate.evaluate";

    public const string PolicyTag = "policygate.policy";
    public const string DecisionTag = "policygate.decision";
    public const string ModeTag = "policygate.mode";
    public const string ErrorTag = "policygate.error";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>Tags the span of one policy's evaluation with what it decided; a failed evaluation also sets the Error status.</summary>
    public static void Describe(Activity activity, PolicyDecision decision)
    {
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(decision);
        activity.SetTag(PolicyTag, decision.Policy);
        activity.SetTag(DecisionTag, decision.Label);
        activity.SetTag(ModeTag, decision.Mode == Api.V1.PolicyMode.Monitor ? "monitor" : "protect");
        if (decision.Outcome == DecisionOutcome.Failed)
        {
            activity.SetTag(ErrorTag, decision.TimedOut ? "timeout" : "error");
            activity.SetStatus(ActivityStatusCode.Error, decision.Message);
        }
    }
}
