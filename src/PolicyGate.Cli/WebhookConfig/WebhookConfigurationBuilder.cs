using System.Text.Json.Nodes;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Matching;
using PolicyGate.Kubernetes.Naming;

namespace PolicyGate.Cli.WebhookConfig;

/// <summary>
/// Turns policies into <c>admissionregistration.k8s.io/v1</c> webhook configurations: one webhook per policy,
/// validating policies in a ValidatingWebhookConfiguration and mutating ones in a MutatingWebhookConfiguration.
/// </summary>
/// <remarks>
/// Each webhook copies its policy's rules, selectors, failurePolicy and timeoutSeconds, and sends reviews to the
/// path <see cref="WebhookPaths"/> gives it. The API server then only calls PolicyGate for requests the policy
/// may match; PolicyGate still matches them itself. For an AdmissionPolicy the webhook is narrowed to the policy's
/// namespace (<c>kubernetes.io/metadata.name In [NAMESPACE]</c> added to its namespaceSelector) and rules of
/// scope <c>*</c> become <c>Namespaced</c>, since such a policy never applies to cluster-scoped objects.
/// </remarks>
internal static class WebhookConfigurationBuilder
{
    public const string ApiVersion = "admissionregistration.k8s.io/v1";
    public const string ValidatingKind = "ValidatingWebhookConfiguration";
    public const string MutatingKind = "MutatingWebhookConfiguration";
    public const string ConfigurationName = "policygate";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InjectCaFromAnnotation = "cert-manager.io/inject-ca-from";

    public static WebhookConfigurationResult Build(IReadOnlyList<PolicyResource> policies, WebhookService service)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(service);
        var errors = new List<string>();
        var owners = new Dictionary<string, PolicyResource>(StringComparer.Ordinal);
        foreach (var policy in policies)
        {
            var name = WebhookPaths.WebhookName(policy);
            if (!KubernetesNames.IsDnsSubdomain(name))
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

        if (errors.Count > 0)
        {
            return new WebhookConfigurationResult([], errors);
        }

        var documents = new List<JsonObject>();
        var validating = policies.Where(p => !p.Spec.Mutating).ToList();
        if (validating.Count > 0)
        {
            documents.Add(Configuration(ValidatingKind, validating, service));
        }

        var mutating = policies.Where(p => p.Spec.Mutating).ToList();
        if (mutating.Count > 0)
        {
            documents.Add(Configuration(MutatingKind, mutating, service));
        }

        return new WebhookConfigurationResult(documents, []);
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

    private static JsonObject Webhook(PolicyResource policy, WebhookService service)
    {
        var clientConfig = new JsonObject
        {
            ["service"] = new JsonObject
            {
                ["name"] = service.Name,
                ["namespace"] = service.Namespace,
                ["path"] = WebhookPaths.PathOf(policy),
                ["port"] = service.Port,
            },
        };
        if (service.CaBundle is not null)
        {
            clientConfig["caBundle"] = service.CaBundle;
        }

        var namespaced = policy.Kind == PolicyKind.AdmissionPolicy;
        var webhook = new JsonObject
        {
            ["name"] = WebhookPaths.WebhookName(policy),
            ["clientConfig"] = clientConfig,
            ["rules"] = new JsonArray([.. policy.Spec.Rules.Select(r => Rule(r, namespaced))]),
            ["failurePolicy"] = policy.Spec.FailurePolicy.ToString(),
            ["matchPolicy"] = "Equivalent",
        };

        var namespaceSelector = namespaced
            ? policy.Spec.NamespaceSelector with
            {
                MatchExpressions = [.. policy.Spec.NamespaceSelector.MatchExpressions, new LabelSelectorRequirement(PolicyMatcher.NamespaceNameLabel, LabelSelectorRequirement.In, [policy.Namespace!])],
            }
            : policy.Spec.NamespaceSelector;
        if (!namespaceSelector.IsEmpty)
        {
            webhook["namespaceSelector"] = Selector(namespaceSelector);
        }

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
