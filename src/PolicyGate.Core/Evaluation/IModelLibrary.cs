using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyGate.Core.Evaluation;

/// <summary>
/// Typed models from a library other than PolicyGate's own (KubernetesClient's <c>k8s.Models</c>), read and written
/// with that library's own JSON rules. Core references no such library: the scripting layer, which compiles scripts
/// against it, supplies one through <see cref="IPolicyProgram.Models"/>, and <see cref="PolicyApi.PolicyContext"/>
/// uses it for <c>ObjectAs&lt;T&gt;()</c>, <c>OldObjectAs&lt;T&gt;()</c> and <c>Mutate(T)</c> when it owns <c>T</c>.
/// </summary>
public interface IModelLibrary
{
    /// <summary>True when <paramref name="type"/> is one of the library's models (never a script's own type).</summary>
    bool Owns(Type type);

    /// <summary>
    /// A new instance read from <paramref name="element"/>, which nothing else holds. Throws <see cref="JsonException"/>
    /// when the JSON does not fit the model.
    /// </summary>
    T? Read<T>(JsonElement element)
        where T : class;

    /// <summary><paramref name="value"/> written as the library writes it.</summary>
    JsonNode? Write<T>(T value)
        where T : class;
}
