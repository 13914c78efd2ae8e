using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Events;
using PolicyGate.Core.Registry;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Admission;

/// <summary>
/// <c>POST /validate[/{policy}]</c> and <c>POST /mutate[/{policy}]</c>: reads the AdmissionReview, picks the
/// policies (one by name, or every one whose rules and selectors match), evaluates them through the same
/// <see cref="AdmissionEvaluator"/> as dry-run, and answers as the API server expects.
/// </summary>
internal sealed class AdmissionHandler(
    PolicyRegistry registry,
    PolicyGateMetrics metrics,
    IOptions<PolicyGateServerOptions> options,
    ILogger<AdmissionHandler> logger,
    TimeProvider? time = null,
    IPolicyEventSink? events = null,
    Policies.ClusterPolicySource? cluster = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Namespace labels from the cluster; without one, a namespace's labels are unknown (null).</summary>
    private readonly Core.Matching.NamespaceLabels _namespaceLabels = cluster is null ? _ => null : cluster.NamespaceLabels;

    private readonly long _maxBytes = options.Value.MaxRequestBodyBytes;
    private readonly DecisionLogMode _decisionLog = options.Value.DecisionLog;

    public async Task HandleAsync(HttpContext context, AdmissionEndpoint endpoint, string? policyName)
    {
        // The request's span (null when no tracer listens); the evaluator opens a child per policy inside it.
        using var activity = AdmissionTracing.Start(context, AdmissionTracing.SpanName(endpoint, policyName is not null));
        if (!registry.IsReady)
        {
            await RejectAsync(context, activity, StatusCodes.Status503ServiceUnavailable, "the policies are still loading; try again").ConfigureAwait(false);
            return;
        }

        var snapshot = registry.Current;
        IReadOnlyList<CompiledPolicy> policies;
        if (policyName is not null)
        {
            var policy = snapshot.Find(policyName);
            if (policy is null)
            {
                await RejectAsync(context, activity, StatusCodes.Status404NotFound, $"no policy named \"{policyName}\" is loaded (see GET /policies)").ConfigureAwait(false);
                return;
            }

            policies = [policy];
        }
        else
        {
            policies = endpoint == AdmissionEndpoint.Mutate ? snapshot.Mutating : snapshot.Validating;
        }

        AdmissionReviewDocument? document;
        int status;
        string? error;
        try
        {
            (document, status, error) = await AdmissionReviewReader.ReadAsync(context.Request, _maxBytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException { InnerException: ConnectionAbortedException }
            || (context.RequestAborted.IsCancellationRequested && ex is IOException or OperationCanceledException))
        {
            // The client went away before the whole body arrived (the API server gave up at its webhook timeout, a
            // connection dropped; on HTTP/2 the stream's read fails before the request is marked aborted): nobody is
            // left to answer, and nothing went wrong here, so no error and no 500.
            Log.RequestAbandoned(logger, context.TraceIdentifier);
            return;
        }

        if (document is null)
        {
            await RejectAsync(context, activity, status, error!).ConfigureAwait(false);
            return;
        }

        // The request's object is an element of the document: it stays alive until the answer is written.
        using (document)
        {
            var request = document.Request;
            // With a cluster, namespaceSelector sees the namespace's real labels; without one only the
            // kubernetes.io/metadata.name label every namespace has. (Per-policy webhooks are pre-filtered by the API server.)
            // Policies run inline on the request's thread: the budget checks woven into every script stop one that runs
            // past its timeoutSeconds (or its memory or stack), and an aborted request stops it too.
            var outcome = AdmissionEvaluator.Review(policies, request, _namespaceLabels, context.RequestAborted);
            var response = outcome.Response;
            if (endpoint == AdmissionEndpoint.Validate)
            {
                response.Patch = null;
                response.PatchType = null;
            }

            if (activity is not null)
            {
                AdmissionTracing.Describe(activity, request, response);
            }

            Report(request, response.Allowed, outcome.Decisions);
            if (events is not null)
            {
                // Queued, never awaited: an Event never delays or changes the answer.
                foreach (var policyEvent in PolicyEvents.From(request, outcome.Decisions, name => snapshot.Find(name)?.Resource, _time.GetUtcNow()))
                {
                    events.Publish(policyEvent);
                }
            }

            AdmissionAnswer.Write(context, document.Review.ApiVersion, response);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private void Report(AdmissionRequest request, bool allowed, IReadOnlyList<PolicyDecision> decisions)
    {
        var noteworthy = 0;
        var latency = TimeSpan.Zero;
        foreach (var decision in decisions)
        {
            var name = decision.Policy;
            metrics.RecordDecision(name, decision.Label, decision.Elapsed);
            latency += decision.Elapsed;
            if (!IsPlainAllow(decision))
            {
                noteworthy++;
            }

            if (decision.Outcome == DecisionOutcome.Failed)
            {
                metrics.RecordError(name, decision.TimedOut);
                Log.PolicyEvaluationFailed(logger, name, request.Uid, decision.Message ?? "");
            }
            else if (decision.Outcome == DecisionOutcome.Denied && decision.Mode == PolicyMode.Monitor)
            {
                Log.MonitorViolation(logger, name, request.Uid, request.Operation, request.Kind.Kind, request.Namespace, request.Name, decision.Message);
            }
        }

        // One line per request (--decision-log): with "changes" (the default) at Information when a decision changed or
        // questioned the request (a denial, a monitor-mode violation, a mutation, a failure, a warning), naming those
        // decisions and counting the plain allows, and at Debug for a request every policy simply allowed; with "all" at
        // Information naming every decision; with "none" no line. The metrics count every decision either way.
        var level = _decisionLog switch
        {
            DecisionLogMode.None => LogLevel.None,
            DecisionLogMode.All => LogLevel.Information,
            _ => noteworthy > 0 ? LogLevel.Information : LogLevel.Debug,
        };
        if (level == LogLevel.None || !logger.IsEnabled(level))
        {
            return;
        }

        var listAll = _decisionLog == DecisionLogMode.All || noteworthy == decisions.Count;
        IReadOnlyList<PolicyDecision> listed = listAll ? decisions : [.. decisions.Where(d => !IsPlainAllow(d))];
        var entry = new DecisionLogEntry(
            allowed ? "allowed" : "denied", request.Uid, request.Operation, request.Kind.Kind, request.Namespace, request.Name,
            latency.TotalMilliseconds, listed, decisions.Count - listed.Count);
        Log.Decision(logger, level, entry);
    }

    /// <summary>A decision that neither changed nor questioned the request: allowed, no mutation, no warning.</summary>
    private static bool IsPlainAllow(PolicyDecision decision) =>
        decision.Outcome == DecisionOutcome.Allowed && decision.Allowed && decision.Warnings.Count == 0;

    private Task RejectAsync(HttpContext context, System.Diagnostics.Activity? activity, int status, string message)
    {
        AdmissionTracing.Rejected(activity, status, message);
        return AdmissionAnswer.RejectAsync(context, metrics, status, message);
    }
}
