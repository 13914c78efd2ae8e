using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using PolicyGate.Cli.Commands;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Kubernetes;
using PolicyGate.Core.Manifests;
using PolicyGate.Core.Matching;
using PolicyGate.Core.Patch;
using PolicyGate.Scripting.Loading;

namespace PolicyGate.Cli.Suites;

/// <summary>
/// Runs test suites: loads each suite's policies with the CLI's <see cref="PolicyLoader"/> (settings overrides applied
/// before they are bound), builds each case's request as dry-run and run do, and judges it with
/// <see cref="AdmissionEvaluator.Review"/>, the webhook's own path. A broken suite is reported and the next one runs.
/// Nothing here prints: the command renders the report.
/// </summary>
internal static class SuiteRunner
{
    public static TestReport Execute(IEnumerable<string> paths, PolicyLoader loader)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var missing = new List<string>();
        var given = paths.ToList();
        var files = PolicyPaths.Expand(given, missing, PolicyLoader.IsTestSuiteFile);
        var errors = missing.Select(m => $"{m}: path does not exist").ToList();
        if (files.Count == 0 && missing.Count == 0)
        {
            errors.Add($"{string.Join(", ", given)}: no test suites (*.test.yaml) found");
        }

        return new TestReport(files.Select(f => Run(f, loader)).ToList(), errors);
    }

    public static SuiteResult Run(string file, PolicyLoader loader)
    {
        ArgumentNullException.ThrowIfNull(loader);
        var (suite, parseErrors) = SuiteParser.Parse(file);
        if (suite is null)
        {
            return new SuiteResult(file, Path.GetFileName(file), [], parseErrors);
        }

        try
        {
            var (policies, loadErrors) = LoadPolicies(suite, loader);
            if (loadErrors.Count > 0)
            {
                return new SuiteResult(file, suite.Name, [], loadErrors);
            }

            return new SuiteResult(file, suite.Name, suite.Cases.Select(c => RunCaseGuarded(suite, c, policies, loader)).ToList(), []);
        }
        catch (Exception ex)
        {
            // One suite's unforeseen failure is that suite's error; the others still run and report.
            return new SuiteResult(file, suite.Name, [], [new SuiteError(file, null, null, null, "", $"cannot run this suite: {ExceptionText.Describe(ex)}")]);
        }
    }

    private static (List<CompiledPolicy> Policies, List<SuiteError> Errors) LoadPolicies(TestSuite suite, PolicyLoader loader)
    {
        var policies = new List<CompiledPolicy>();
        var errors = new List<SuiteError>();
        foreach (var entry in suite.Policies)
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            var loaded = loader.LoadFiles([entry.Path], resource =>
            {
                found.Add(resource.Name);
                return entry.Names.Count == 0 || entry.Names.Contains(resource.Name, StringComparer.Ordinal)
                    ? Override(resource, entry.Settings, entry.Mutating)
                    : null;
            });
            errors.AddRange(loaded.Errors.Select(e => suite.Locate.Error(entry.Field, e.ToString())));
            for (var i = 0; i < entry.Names.Count; i++)
            {
                if (!found.Contains(entry.Names[i]))
                {
                    errors.Add(suite.Locate.Error($"{entry.Field}.names[{i}]",
                        $"{entry.Path} has no policy named \"{entry.Names[i]}\"" + (found.Count > 0 ? $" (it has: {string.Join(", ", found)})" : "")));
                }
            }

            if (loaded.Policies.Count == 0 && loaded.Errors.Count == 0 && entry.Names.Count == 0)
            {
                errors.Add(suite.Locate.Error(entry.Field, $"{entry.Path} holds no ClusterAdmissionPolicy or AdmissionPolicy"));
            }

            policies.AddRange(loaded.Policies);
        }

        return (policies, errors);
    }

    /// <summary>The policy with <paramref name="settings"/> merged over its own (each key given replaces its own) and spec.mutating replaced.</summary>
    private static PolicyResource Override(PolicyResource resource, JsonObject? settings, bool? mutating)
    {
        if (settings is null && mutating is null)
        {
            return resource;
        }

        var merged = resource.Spec.Settings?.DeepClone().AsObject() ?? [];
        foreach (var (key, value) in settings ?? [])
        {
            merged[key] = value?.DeepClone();
        }

        return resource with { Spec = resource.Spec with { Settings = merged, Mutating = mutating ?? resource.Spec.Mutating } };
    }

    private static CaseResult RunCaseGuarded(TestSuite suite, TestCase testCase, IReadOnlyList<CompiledPolicy> policies, PolicyLoader loader)
    {
        try
        {
            return RunCase(suite, testCase, policies, loader);
        }
        catch (Exception ex)
        {
            // A bug or an unforeseen input costs this one case, reported as its error, never the cases after it.
            return new CaseResult(testCase.Name, CaseStatus.Error, [], null,
                suite.Locate.Error(testCase.Field, $"cannot run this case: {ExceptionText.Describe(ex)}", testCase.Name), TimeSpan.Zero);
        }
    }

    private static CaseResult RunCase(TestSuite suite, TestCase testCase, IReadOnlyList<CompiledPolicy> suitePolicies, PolicyLoader loader)
    {
        var clock = Stopwatch.StartNew();
        CaseResult Error(string field, string message) =>
            new(testCase.Name, CaseStatus.Error, [], null, suite.Locate.Error(field, message, testCase.Name), clock.Elapsed);

        var policies = suitePolicies;
        if (testCase.Settings is not null || testCase.Mutating is not null)
        {
            var overridden = new List<CompiledPolicy>();
            foreach (var policy in suitePolicies)
            {
                var (loaded, errors) = loader.Load(Override(policy.Resource, testCase.Settings, testCase.Mutating));
                if (loaded is null)
                {
                    return Error(testCase.Field + (testCase.Settings is not null ? ".settings" : ".mutating"), string.Join("; ", errors));
                }

                overridden.Add(loaded);
            }

            policies = overridden;
        }

        AdmissionReviewDocument? review = null;
        try
        {
            AdmissionRequest request;
            if (testCase.Review is { } reviewJson)
            {
                if (!AdmissionReviewDocument.TryParse(JsonSerializer.SerializeToUtf8Bytes(reviewJson, PolicyEvaluator.ObjectJson), out review, out var reviewError))
                {
                    return Error(testCase.Field + ".review", reviewError!);
                }

                request = review!.Request;
            }
            else
            {
                try
                {
                    request = AdmissionRequestFactory.Create(testCase.Object!, $"{suite.File}#{testCase.Name}", testCase.Operation);
                }
                catch (ArgumentException ex)
                {
                    return Error(testCase.Field + ".object", ex.Message);
                }

                if (testCase.OldObject is { } oldObject)
                {
                    request = request with { OldObject = JsonSerializer.SerializeToElement(oldObject, PolicyEvaluator.ObjectJson) };
                }

                if (testCase.UserInfo is { } user)
                {
                    request = request with { UserInfo = user };
                }
            }

            foreach (var (field, obj) in new[] { ("object", request.Object), ("oldObject", request.OldObject) })
            {
                if (obj is { } element && ObjectSchema.FindTypeError(element, request.Kind) is { } typeError)
                {
                    return Error($"{testCase.Field}.{(testCase.Review is null ? field : "review.request." + field)}", $"{typeError} (the API server would refuse this object)");
                }
            }

            var outcome = AdmissionEvaluator.Review(policies, request, NamespaceLabelsOf(request, testCase.NamespaceLabels));
            return Judge(testCase, outcome.Response, PolicyEvaluator.ObjectNode(request), clock);
        }
        finally
        {
            review?.Dispose();
        }
    }

    /// <summary>The namespace's labels: those the case gives, and always its name label, as the API server sets it.</summary>
    private static NamespaceLabels NamespaceLabelsOf(AdmissionRequest request, IReadOnlyDictionary<string, string>? given)
    {
        if (given is null || request.Namespace is not { } ns)
        {
            return _ => null;
        }

        var labels = new Dictionary<string, string>(given, StringComparer.Ordinal);
        labels.TryAdd(PolicyMatcher.NamespaceNameLabel, ns);
        return name => name == ns ? labels : null;
    }

    private static CaseResult Judge(TestCase testCase, AdmissionResponse response, JsonNode? original, Stopwatch clock)
    {
        var expect = testCase.Expect;
        var message = response.Status?.Message;
        var warnings = response.Warnings ?? [];
        var patch = response.Patch is { } bytes ? JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = AdmissionReviewDocument.MaxDepth })!.AsArray() : [];
        var mismatches = new List<CaseMismatch>();

        if (expect.Allowed != response.Allowed)
        {
            mismatches.Add(new CaseMismatch("allowed", $"expected {Decision(expect.Allowed)}, got {Decision(response.Allowed)}" +
                (message is null ? "" : $": {message}"), []));
        }

        if (expect.Message is { } wanted && (message is null || !message.Contains(wanted, StringComparison.Ordinal)))
        {
            mismatches.Add(new CaseMismatch("message", $"expected a message containing \"{wanted}\", got " +
                (message is null ? "no message" : $"\"{message}\""), []));
        }

        var missing = expect.Warnings.Where(w => !warnings.Any(a => a.Contains(w, StringComparison.Ordinal))).ToList();
        if (missing.Count > 0)
        {
            mismatches.Add(new CaseMismatch("warnings", $"expected warnings containing {string.Join(", ", missing.Select(m => $"\"{m}\""))}, got " +
                (warnings.Count == 0 ? "none" : string.Join(", ", warnings.Select(w => $"\"{w}\""))), []));
        }

        if (expect.Patch is { } expectedPatch && !JsonDiff.AreEqual(expectedPatch, patch))
        {
            mismatches.Add(new CaseMismatch("patch", "the patch differs (- expected only, + actual only)", JsonDiff.ItemLines(expectedPatch, patch)));
        }

        if (expect.PatchedObject is { } expectedObject)
        {
            JsonNode? patched;
            try
            {
                patched = patch.Count == 0 ? original : JsonPatch.Apply(original, patch);
            }
            catch (JsonPatchException ex)
            {
                patched = null;
                mismatches.Add(new CaseMismatch("patchedObject", $"the answer's patch does not apply to the object: {ex.Message}", []));
            }

            if (patched is not null && !JsonDiff.AreEqual(expectedObject, patched))
            {
                mismatches.Add(new CaseMismatch("patchedObject", "the patched object differs (- expected only, + actual only, ~ changed)", JsonDiff.Lines(expectedObject, patched)));
            }
        }

        var actual = new JsonObject
        {
            ["allowed"] = response.Allowed,
            ["message"] = message,
            ["warnings"] = new JsonArray(warnings.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
            ["patch"] = patch.Count == 0 ? null : patch,
        };
        return new CaseResult(testCase.Name, mismatches.Count == 0 ? CaseStatus.Passed : CaseStatus.Failed, mismatches, actual, null, clock.Elapsed);
    }

    private static string Decision(bool allowed) => allowed ? "allowed" : "denied";
}
