using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Matching;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Server.Registration;

/// <summary>
/// Turns policies into <c>admissionregistration.k8s.io/v1</c> webhook configurations: one webhook per policy,
/// validating policies in a ValidatingWebhookConfiguration and mutating ones in a MutatingWebhookConfiguration, plus
/// one validating webhook for PolicyGate's own objects (<see cref="WebhookPaths.PolicyValidationWebhookName"/>), so
/// <c>kubectl apply</c> of a ClusterAdmissionPolicy or AdmissionPolicy that would not load is refused.
/// </summary>
/// <remarks>
/// Each webhook copies its policy's rules, selectors, failurePolicy and timeoutSeconds, and sends reviews to the
/// path <see cref="WebhookPaths"/> gives it. The API server then only calls PolicyGate for requests the policy
/// may match; PolicyGate still matches them itself. For an AdmissionPolicy the webhook is narrowed to the policy's
/// namespace (<c>kubernetes.io/metadata.name In [NAMESPACE]</c> added to its namespaceSelector) and rules of
/// scope <c>*</c> become <c>Namespaced</c>, since such a policy never applies to cluster-scoped objects. Every
/// policy's webhook leaves out PolicyGate's own namespace (<c>kubernetes.io/metadata.name NotIn [SERVICE'S
/// NAMESPACE]</c>), so no policy can refuse the pods that would answer it. <c>policygate webhook-config</c> prints
/// what this builds; <c>serve</c>'s registrar applies it.
/// </remarks>
public static class WebhookConfigurationBuilder
{
    public const string ApiVersion = "admissionregistration.k8s.io/v1";
    public const string ValidatingKind = "ValidatingWebhookConfiguration";
    public const string MutatingKind = "MutatingWebhookConfiguration";
    public const string ConfigurationName = "policygate";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InjectCaFromAnnotation = "cert-manager.io/inject-ca-from";

    /// <summary>The configurations for <paramref name="policies"/>.</summary>
    /// <param name="policies">The policies, each with one webhook.</param>
    /// <param name="service">Where the API server reaches PolicyGate.</param>
    /// <param name="alwaysMutating">
    /// Also return the MutatingWebhookConfiguration when no policy mutates (with no webhooks), as the registrar does
    /// so that the webhook of a deleted mutating policy is removed; <c>webhook-config</c> prints only what is needed.
    /// </param>
    public static WebhookConfigurationResult Build(IReadOnlyList<PolicyResource> policies, WebhookService service, bool alwaysMutating = false)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(service);
        var errors = new List<string>();
        var owners = new Dictionary<string, PolicyResource>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var name = WebhookPaths.WebhookName(policy);
            if (name == WebhookPaths.PolicyValidationWebhookName)
            {
                errors.Add($"{policy.Source}: policy {policy.DisplayName}: its webhook name \"{name}\" is PolicyGate's own (the validation of its policy objects); rename the policy");
            }
            else if (!KubernetesNames.IsDnsSubdomain(name))
            {
                errors.Add($"{policy.Source}: policy {policy.DisplayName}: its webhook name \"{name}\" is not a valid DNS subdomain " +
                    $"(at most {KubernetesNames.MaxSubdomainLength} characters; dot-separated parts of lower-case letters, digits and '-')");
            }
            else if (owners.TryGetValue(name, out var owner))
            {
                errors.Add($"{policy.Source}: policy {policy.DisplayName}: its webhook name \"{name}\" is already that of policy {owner.DisplayName} ({owner.Source})");
            }
            else
            {
                owners[name] = policy;
            }
        }

        // A policy whose webhook cannot be named is left out (and reported); the others are registered.
        policies = [.. policies.Where(p => owners.TryGetValue(WebhookPaths.WebhookName(p), out var owner) && ReferenceEquals(owner, p))];
        var documents = new List<JsonObject>();
        var validating = Configuration(ValidatingKind, policies.Where(p => !p.Spec.Mutating), service);
        validating["webhooks"]!.AsArray().Add(PolicyValidationWebhook(service));
        documents.Add(validating);

        var mutating = policies.Where(p => p.Spec.Mutating).ToList();
        if (mutating.Count > 0 || alwaysMutating)
        {
            documents.Add(Configuration(MutatingKind, mutating, service));
        }

        return new WebhookConfigurationResult(documents, errors);
    }

    private static JsonObject Configuration(string kind, IEnumerable<PolicyResource> policies, WebhookService service)
    {
        var metadata = new JsonObject
        {
            ["name"] = ConfigurationName,
            ["labels"] = new JsonObject { [NameLabel] = ConfigurationName },
        };
        if (service.InjectCaFrom is not null)
        {
            metadata["annotations"] = new JsonObject { [InjectCaFromAnnotation] = service.InjectCaFrom };
        }

        return new JsonObject
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = kind,
            ["metadata"] = metadata,
            ["webhooks"] = new JsonArray([.. policies.Select(p => Webhook(p, service))]),
        };
    }

    /// <summary>
    /// The webhook for PolicyGate's own objects. failurePolicy Ignore: a policy applied while PolicyGate is down (or
    /// before it is up, as an install does) is still checked when serve loads it, and a broken one never serves.
    /// timeoutSeconds 30: a first compile can take seconds.
    /// </summary>
    private static JsonObject PolicyValidationWebhook(WebhookService service) => new()
    {
        ["name"] = WebhookPaths.PolicyValidationWebhookName,
        ["clientConfig"] = ClientConfig(service, WebhookPaths.PolicyValidationPath),
        ["rules"] = new JsonArray(new JsonObject
        {
            ["operations"] = Strings(["CREATE", "UPDATE"]),
            ["apiGroups"] = Strings([PolicyResource.Group]),
            ["apiVersions"] = Strings(["v1"]),
            ["resources"] = Strings(["clusteradmissionpolicies", "admissionpolicies"]),
            ["scope"] = RuleWithOperations.AnyScope,
        }),
        ["failurePolicy"] = FailurePolicy.Ignore.ToString(),
        ["matchPolicy"] = "Equivalent",
        ["sideEffects"] = "None",
        ["timeoutSeconds"] = 30,
        ["admissionReviewVersions"] = new JsonArray("v1"),
    };

    private static JsonObject ClientConfig(WebhookService service, string path)
    {
        var clientConfig = new JsonObject
        {
            ["service"] = new JsonObject
            {
                ["name"] = service.Name,
                ["namespace"] = service.Namespace,
                ["path"] = path,
                ["port"] = service.Port,
            },
        };
        if (service.CaBundle is not null)
        {
            clientConfig["caBundle"] = service.CaBundle;
        }

        return clientConfig;
    }

    private static JsonObject Webhook(PolicyResource policy, WebhookService service)
    {
        var clientConfig = ClientConfig(service, WebhookPaths.PathOf(policy));

        var namespaced = policy.Kind == PolicyKind.AdmissionPolicy;
        var webhook = new JsonObject
        {
            ["name"] = WebhookPaths.WebhookName(policy),
            ["clientConfig"] = clientConfig,
            ["rules"] = new JsonArray([.. policy.Spec.Rules.Select(r => Rule(r, namespaced))]),
            ["failurePolicy"] = policy.Spec.FailurePolicy.ToString(),
            ["matchPolicy"] = "Equivalent",
        };

        List<LabelSelectorRequirement> narrowing = [new(PolicyMatcher.NamespaceNameLabel, LabelSelectorRequirement.NotIn, [service.Namespace])];
        if (namespaced)
        {
            narrowing.Add(new LabelSelectorRequirement(PolicyMatcher.NamespaceNameLabel, LabelSelectorRequirement.In, [policy.Namespace!]));
        }

        var namespaceSelector = policy.Spec.NamespaceSelector with
        {
            MatchExpressions = [.. policy.Spec.NamespaceSelector.MatchExpressions, .. narrowing],
        };
        webhook["namespaceSelector"] = Selector(namespaceSelector);

        if (!policy.Spec.ObjectSelector.IsEmpty)
        {
            webhook["objectSelector"] = Selector(policy.Spec.ObjectSelector);
        }

        webhook["sideEffects"] = "None";
        webhook["timeoutSeconds"] = policy.Spec.TimeoutSeconds;
        webhook["admissionReviewVersions"] = new JsonArray("v1");
        return webhook;
    }

    private static JsonObject Rule(RuleWithOperations rule, bool namespaced) => new()
    {
        ["operations"] = Strings(rule.Operations),
        ["apiGroups"] = Strings(rule.ApiGroups),
        ["apiVersions"] = Strings(rule.ApiVersions),
        ["resources"] = Strings(rule.Resources),
        ["scope"] = namespaced && rule.Scope == RuleWithOperations.AnyScope ? RuleWithOperations.NamespacedScope : rule.Scope,
    };

    private static JsonObject Selector(LabelSelector selector)
    {
        var result = new JsonObject();
        if (selector.MatchLabels.Count > 0)
        {
            var labels = new JsonObject();
            foreach (var (key, value) in selector.MatchLabels)
            {
                labels[key] = value;
            }

            result["matchLabels"] = labels;
        }

        if (selector.MatchExpressions.Count > 0)
        {
            result["matchExpressions"] = new JsonArray([.. selector.MatchExpressions.Select(Requirement)]);
        }

        return result;
    }

    private static JsonObject Requirement(LabelSelectorRequirement requirement)
    {
        var result = new JsonObject
        {
            ["key"] = requirement.Key,
            ["operator"] = requirement.Operator,
        };
        if (requirement.Values.Count > 0)
        {
            result["values"] = Strings(requirement.Values);
        }

        return result;
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
