using System.Text.Json.Nodes;
using PolicyGate.Core.PolicyApi;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// A compiled policy script, shared by every policy and request that uses the same source. Implemented by the
/// scripting layer; the engine only runs it.
/// </summary>
public interface IPolicyProgram
{
    /// <summary>SHA-256 of the source (hex), identifying the compiled code.</summary>
    string Hash { get; }

    /// <summary>
    /// Binds a policy's settings to the settings type the script declares, reporting every bad setting by name; the
    /// script's own settings code (e.g. <c>Validate()</c>) runs under a budget of <paramref name="timeBudget"/>.
    /// </summary>
    SettingsBinding BindSettings(JsonObject? settings, TimeSpan timeBudget);

    /// <summary>
    /// The typed models of other libraries that the script compiles against (KubernetesClient's <c>k8s.Models</c>), which
    /// <c>ObjectAs&lt;T&gt;()</c> reads with that library's JSON rules; null when there are none.
    /// </summary>
    IModelLibrary? Models => null;

    /// <summary>Runs the script once. Exceptions thrown by the script surface as <see cref="PolicyRuntimeException"/>.</summary>
    PolicyResult? Run(PolicyContext context);

    /// <summary>
    /// Marks one evaluation as running this program until the matching <see cref="ReleaseLease"/>: a program that was
    /// replaced or deleted is unloaded only once its last lease ends. Programs that are never unloaded need not count.
    /// </summary>
    void AcquireLease()
    {
    }

    /// <summary>Ends a lease taken with <see cref="AcquireLease"/>.</summary>
    void ReleaseLease()
    {
    }
}
