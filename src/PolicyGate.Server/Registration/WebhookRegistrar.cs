using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PolicyGate.Core.Registry;
using PolicyGate.Kubernetes.Leadership;
using PolicyGate.Kubernetes.Registration;
using PolicyGate.Server.Certificates;
using PolicyGate.Server.Hosting;
using PolicyGate.Server.Observability;

namespace PolicyGate.Server.Registration;

/// <summary>
/// Keeps the ValidatingWebhookConfiguration and MutatingWebhookConfiguration named <c>policygate</c> in step with the
/// serving policies (one webhook per policy, plus the validation of PolicyGate's own objects), built by the same
/// <see cref="WebhookConfigurationBuilder"/> as <c>policygate webhook-config</c>, with the caBundle of the serving
/// certificate (rewritten when the certificate rotates). Only the leader writes.
/// </summary>
internal sealed class WebhookRegistrar : LeaderWork
{
    private readonly PolicyRegistry _registry;
    private readonly ServingCertificate _certificate;
    private readonly WebhookConfigurationWriter _writer;
    private readonly PolicyGateServerOptions _options;
    private readonly ILogger _logger;
    private string? _lastProblems;

    public WebhookRegistrar(Leadership leadership, PolicyRegistry registry, ServingCertificate certificate, WebhookConfigurationWriter writer,
        IOptions<PolicyGateServerOptions> options, TimeProvider time, ILogger<WebhookRegistrar> logger)
        : base(leadership, registry, time, options.Value.ResyncInterval, logger)
    {
        _registry = registry;
        _certificate = certificate;
        _writer = writer;
        _options = options.Value;
        _logger = logger;
        certificate.Changed += Signal;
    }

    protected override string What => "Webhook registration";

    protected override void NewTerm() => _writer.Forget();

    protected override async Task WriteAsync(CancellationToken term)
    {
        if (!_registry.IsReady)
        {
            return; // Registering nothing would remove the webhooks another replica registered.
        }

        if (_certificate.CaBundle is not { } caBundle)
        {
            Report($"the certificate folder {_certificate.Directory} has no ca.crt and its tls.crt is not self-signed, so the API server could not trust it");
            return;
        }

        var service = new WebhookService(_options.ServiceName, _options.ServiceNamespace, _options.ServicePort, caBundle, InjectCaFrom: null);
        var result = WebhookConfigurationBuilder.Build([.. _registry.Current.Policies.Select(p => p.Resource)], service, alwaysMutating: true);
        Report(result.Errors.Count == 0 ? null : string.Join("; ", result.Errors));
        foreach (var document in result.Documents)
        {
            await _writer.ApplyAsync(document, term).ConfigureAwait(false);
        }
    }

    /// <summary>Logs a problem once, not at every resync.</summary>
    private void Report(string? problems)
    {
        if (problems is not null && problems != _lastProblems)
        {
            Log.RegistrationSkipped(_logger, problems);
        }

        _lastProblems = problems;
    }
}
