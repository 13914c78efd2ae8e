using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;

namespace PolicyGate.Server.Admission;

/// <summary>
/// The span of one admission request (<c>POST /validate</c>, <c>/mutate</c>, their per-policy paths and
/// <c>/validate-policies</c>); <see cref="AdmissionEvaluator"/> adds a child per policy it evaluates. When no tracer
/// provider listens (no OTLP endpoint), <see cref="Start"/> returns null before looking at the request.
/// </summary>
internal static class AdmissionTracing
{
    public const string UidTag = "policygate.admission.uid";
    public const string OperationTag = "policygate.admission.operation";
    public const string KindTag = "policygate.admission.kind";
    public const string NamespaceTag = "policygate.admission.namespace";
    public const string NameTag = "policygate.admission.name";
    public const string AllowedTag = "policygate.admission.allowed";
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>The span's name: the method and the route, as OpenTelemetry's HTTP conventions name server spans.</summary>
    public static string SpanName(AdmissionEndpoint endpoint, bool perPolicy) => (endpoint, perPolicy) switch
    {
        (AdmissionEndpoint.Validate, false) => "POST /validate",
        (AdmissionEndpoint.Validate, true) => "POST /validate/{policy}",
        (AdmissionEndpoint.Mutate, false) => "POST /mutate",
        _ => "POST /mutate/{policy}",
    };

    /// <summary>
    /// Starts the request's span, continuing the caller's trace when the request carries a W3C <c>traceparent</c>
    /// (the API server sends one when its own tracing is on). Null when nothing listens.
    /// </summary>
    public static Activity? Start(HttpContext context, string spanName)
    {
        if (!EvaluationTracing.Source.HasListeners())
        {
            return null;
        }

        var headers = context.Request.Headers;
        ActivityContext.TryParse(headers.TraceParent, headers.TraceState, isRemote: true, out var parent);
        return EvaluationTracing.Source.StartActivity(spanName, ActivityKind.Server, parent);
    }

    /// <summary>Tags the request's span with what was asked (never the object itself: it may be a Secret).</summary>
    public static void Describe(Activity activity, AdmissionRequest request, AdmissionResponse response)
    {
        activity.SetTag(UidTag, request.Uid);
        activity.SetTag(OperationTag, request.Operation);
        activity.SetTag(KindTag, request.Kind.Kind);
        activity.SetTag(NamespaceTag, request.Namespace);
        activity.SetTag(NameTag, request.Name);
        activity.SetTag(AllowedTag, response.Allowed);
    }

    /// <summary>Marks the span of a request refused before any policy ran.</summary>
    public static void Rejected(Activity? activity, int status, string message)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(StatusCodeTag, status);
        if (status >= StatusCodes.Status500InternalServerError)
        {
            activity.SetStatus(ActivityStatusCode.Error, message);
        }
    }
}
