using Microsoft.Extensions.Logging;

namespace PolicyGate.Server.Observability;

/// <summary>Every log message of the server, with stable event ids (1xxx: Server). Placeholders follow the glossary in STYLE.md.</summary>
internal static partial class Log
{
    private static readonly EventId DecisionEvent = new(1010, nameof(Decision));

    [LoggerMessage(1001, LogLevel.Information, "Policy {PolicyName} loaded from {Source} (script {Revision})")]
    public static partial void PolicyLoaded(ILogger logger, string policyName, string source, string revision);

    [LoggerMessage(1002, LogLevel.Information, "Policy {PolicyName} removed")]
    public static partial void PolicyRemoved(ILogger logger, string policyName);

    [LoggerMessage(1003, LogLevel.Warning, "Policy {PolicyName} failed to load from {Source}; {Serving}: {Error}")]
    public static partial void PolicyFailed(ILogger logger, string policyName, string source, string serving, string error);

    [LoggerMessage(1004, LogLevel.Information, "Policies reloaded: {Count} serving, {Errors} with errors, snapshot {Revision} in {ElapsedMs} ms")]
    public static partial void PoliciesReloaded(ILogger logger, int count, int errors, long revision, long elapsedMs);

    [LoggerMessage(1005, LogLevel.Error, "Reloading the policy folder failed; the previous policies keep serving")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(1006, LogLevel.Debug, "Retired {Count} compiled scripts no policy uses; each unloads when its running evaluations end")]
    public static partial void ProgramsRetired(ILogger logger, int count);

    [LoggerMessage(1008, LogLevel.Warning, "The worker process of policy {PolicyName} stopped; its requests failed under the policy's failurePolicy and a new worker takes the next one: {Reason}")]
    public static partial void WorkerStopped(ILogger logger, string policyName, string reason);

    [LoggerMessage(1007, LogLevel.Warning, "Policies are compiled without the disk cache: {Error}")]
    public static partial void CompileCacheUnusable(ILogger logger, string error);

    /// <summary>The decision line of a request (the hottest log line: see <see cref="DecisionLogEntry"/>).</summary>
    public static void Decision(ILogger logger, LogLevel level, DecisionLogEntry entry) =>
        logger.Log(level, DecisionEvent, entry, null, DecisionLogEntry.Format);

    [LoggerMessage(1011, LogLevel.Warning, "Policy {PolicyName} failed on {AdmissionUid}: {Error}")]
    public static partial void PolicyEvaluationFailed(ILogger logger, string policyName, string admissionUid, string error);

    [LoggerMessage(1012, LogLevel.Warning, "Policy {PolicyName} (monitor mode) would deny {AdmissionUid} {Operation} {Kind} {Namespace}/{Name}: {Message}")]
    public static partial void MonitorViolation(ILogger logger, string policyName, string admissionUid, string operation, string kind, string? @namespace, string? name, string? message);

    [LoggerMessage(1020, LogLevel.Information, "Serving certificate loaded: {Subject}, expires {NotAfter:O}")]
    public static partial void CertificateLoaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(1021, LogLevel.Warning, "Serving certificate in {Directory} could not be loaded; the previous one stays in use")]
    public static partial void CertificateReloadFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(1040, LogLevel.Information, "Connected to the cluster ({Connection}): denials, monitor-mode violations and mutations become Kubernetes Events")]
    public static partial void ClusterConnected(ILogger logger, string connection);

    [LoggerMessage(1031, LogLevel.Debug, "Request {AdmissionUid} abandoned: the client closed it before sending the whole body; nothing was answered")]
    public static partial void RequestAbandoned(ILogger logger, string admissionUid);

    [LoggerMessage(1030, LogLevel.Error, "Unhandled error answering {AdmissionUid}")]
    public static partial void UnhandledError(ILogger logger, string admissionUid, Exception exception);

    [LoggerMessage(1050, LogLevel.Warning, "{Work} failed (try {Failures}), next try in {Delay}: {Error}")]
    public static partial void LeaderWorkFailed(ILogger logger, string work, int failures, TimeSpan delay, string error);

    [LoggerMessage(1051, LogLevel.Error, "Webhook registration skipped: {Reason}")]
    public static partial void RegistrationSkipped(ILogger logger, string reason);

    [LoggerMessage(1052, LogLevel.Information, "Status of {Policy}: Ready={Ready} (generation {Generation})")]
    public static partial void StatusWritten(ILogger logger, string policy, string ready, long generation);
}
