using System.Text.Json.Nodes;
using PolicyGate.Cli.Commands;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;
using PolicyGate.Core.Manifests;
using PolicyGate.Core.Matching;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.DryRun;

/// <summary>
/// Judges saved manifests with policies, through the same <see cref="AdmissionEvaluator"/> the webhook uses.
/// Nothing here prints: the command renders the report.
/// </summary>
internal static class DryRunEngine
{
    public static DryRunReport Execute(DryRunRequest run, TextReader stdin)
    {
        ArgumentNullException.ThrowIfNull(run);
        var errors = new List<DryRunError>();

        var missing = new List<string>();
        var policyFiles = PolicyPaths.Expand(run.PolicyPaths, missing);
        errors.AddRange(missing.Select(m => new DryRunError(m, "policy path does not exist")));
        using var loading = new PolicyLoading(run.CacheDirectory, run.IsolateAll);
        var loaded = loading.Loader.LoadFiles(policyFiles);
        errors.AddRange(loaded.Errors.Select(e => new DryRunError(e.Source, e.Policy is null ? e.Message : $"policy {e.Policy}: {e.Message}")));
        if (policyFiles.Count > 0 && loaded.Policies.Count == 0 && loaded.Errors.Count == 0)
        {
            errors.Add(new DryRunError(string.Join(", ", run.PolicyPaths), "no ClusterAdmissionPolicy or AdmissionPolicy found"));
        }

        var manifests = ManifestLoader.Load(run.ManifestPaths, stdin);
        errors.AddRange(manifests.Errors.Select(e => new DryRunError(e.Source, e.Message)));

        var namespaceLabels = NamespaceLabelsFrom(run.NamespaceLabels, manifests.Documents);
        var documents = manifests.Documents;
        var judged = new Judged[documents.Count];
        Parallel.For(0, documents.Count, i => judged[i] = Judge(documents[i], loaded.Policies, run.Operation, namespaceLabels));

        var results = new List<DryRunResult>();
        var answers = new List<DryRunAnswer>();
        foreach (var (documentResults, answer, error) in judged)
        {
            results.AddRange(documentResults);
            if (answer is not null)
            {
                answers.Add(answer);
            }

            if (error is not null)
            {
                errors.Add(error);
            }
        }

        return new DryRunReport(results, answers, errors, RuleWarnings.For(loaded.Policies), documents.Count, loaded.Policies.Count);
    }

    /// <summary>
    /// One object, as the API server would admit it: the request it would send, refused as input if the object does
    /// not fit its kind's schema (the API server would refuse it before any webhook), then
    /// <see cref="AdmissionEvaluator.Review"/>: mutating policies in name order with their patches composed, then the
    /// validating policies on the mutated object. Anything this object makes go wrong is its own error.
    /// </summary>
    private static Judged Judge(ManifestDocument document, IReadOnlyList<CompiledPolicy> policies, string operation, NamespaceLabels namespaceLabels)
    {
        try
        {
            var element = document.ToElement();
            AdmissionRequest request;
            try
            {
                request = AdmissionRequestFactory.Create(element, document.Source, operation);
            }
            catch (ArgumentException ex)
            {
                return new Judged([], null, new DryRunError(document.Source, ex.Message));
            }

            var obj = new DryRunObject(element.GetProperty("apiVersion").GetString()!, request.Kind.Kind, request.Namespace, request.Name, document.Source);
            if (ObjectSchema.FindTypeError(request.Object ?? request.OldObject ?? default, request.Kind) is { } typeError)
            {
                return new Judged([], null, new DryRunError(document.Source, $"{obj.Display}: {typeError} (the API server would refuse this object)"));
            }

            var outcome = AdmissionEvaluator.Review(policies, request, namespaceLabels);
            return new Judged(outcome.Decisions.Select(d => new DryRunResult(obj, d)).ToArray(), new DryRunAnswer(obj, outcome.Response), null);
        }
        catch (Exception ex)
        {
            return new Judged([], null, new DryRunError(document.Source, $"cannot judge this object: {ExceptionText.Describe(ex)}"));
        }
    }

    private readonly record struct Judged(IReadOnlyList<DryRunResult> Results, DryRunAnswer? Answer, DryRunError? Error);

    /// <summary>Labels given with --namespace-labels win; Namespace objects among the manifests supply the rest.</summary>
    private static NamespaceLabels NamespaceLabelsFrom(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> given,
        IEnumerable<ManifestDocument> documents)
    {
        var labels = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            if (document.Element is { } element &&
                !(element.TryGetProperty("kind", out var kindElement) && kindElement.ValueKind == System.Text.Json.JsonValueKind.String && kindElement.ValueEquals("Namespace")))
            {
                continue; // not a Namespace: no need to make a JsonObject of it
            }

            var manifest = document.Object;
            // Any field may have any type here: the object is checked against its schema only when it is judged.
            if (manifest["kind"]?.GetValueKind() == System.Text.Json.JsonValueKind.String &&
                manifest["kind"]!.GetValue<string>() == "Namespace" &&
                manifest["metadata"] is JsonObject metadata &&
                metadata["name"] is JsonValue nameValue && nameValue.TryGetValue<string>(out var name))
            {
                var own = new Dictionary<string, string>(StringComparer.Ordinal) { [PolicyMatcher.NamespaceNameLabel] = name };
                if (metadata["labels"] is JsonObject l)
                {
                    foreach (var (key, value) in l)
                    {
                        if (value is JsonValue v && v.TryGetValue<string>(out var text))
                        {
                            own[key] = text;
                        }
                    }
                }

                labels[name] = own;
            }
        }

        foreach (var (ns, values) in given)
        {
            var merged = new Dictionary<string, string>(values, StringComparer.Ordinal);
            merged.TryAdd(PolicyMatcher.NamespaceNameLabel, ns);
            labels[ns] = merged;
        }

        return ns => labels.GetValueOrDefault(ns);
    }
}
