using System.Text.Json.Nodes;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Api.V1;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.PolicyApi;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Isolation;

/// <summary>
/// A policy that runs in a worker process (<c>isolation: process</c>): its evaluations are sent to the worker its
/// <see cref="IsolationSupervisor"/> keeps for it. The server never loads its code nor runs its settings.
/// </summary>
public sealed class IsolatedProgram : IRemotePolicyProgram
{
    private readonly IsolationSupervisor _supervisor;

    internal IsolatedProgram(IsolationSupervisor supervisor, string worker, PolicyResource resource, PolicyImage image)
    {
        _supervisor = supervisor;
        Worker = worker;
        Resource = resource;
        Image = image;
        Version = $"{resource.Kind}/{resource.DisplayName}@{image.Hash}#{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this):x}";
        LoadedAs = Fingerprint(resource, image);
    }

    /// <summary>Everything the worker is sent to load this policy: equal fingerprints load the same thing.</summary>
    internal string LoadedAs { get; }

    internal static string Fingerprint(PolicyResource resource, PolicyImage image) =>
        $"{resource.Kind}/{resource.DisplayName}|{image.Hash}|{resource.Spec.Mutating}|{resource.Spec.TimeoutSeconds}|{resource.Spec.Settings?.ToJsonString()}";

    public string Hash => Image.Hash;

    /// <summary>The worker this policy runs in (one per policy).</summary>
    public string Worker { get; }

    /// <summary>This loaded version of the policy, as the worker knows it.</summary>
    internal string Version { get; }

    internal PolicyResource Resource { get; }

    internal PolicyImage Image { get; }

    public SettingsBinding BindSettings(JsonObject? settings, TimeSpan timeBudget) =>
        throw new NotSupportedException("an isolated policy's settings are bound in its worker process");

    public PolicyResult? Run(PolicyContext context) =>
        throw new NotSupportedException("an isolated policy runs in its worker process");

    public PolicyVerdict Evaluate(CompiledPolicy policy, AdmissionRequest request, CancellationToken cancellationToken) =>
        _supervisor.Evaluate(this, policy, request, cancellationToken);
}
