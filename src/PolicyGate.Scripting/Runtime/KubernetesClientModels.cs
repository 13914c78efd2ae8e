using System.Buffers;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using PolicyGate.Core.Admission;
using PolicyGate.Core.Evaluation;
using CoreQuantity = PolicyGate.Core.Kubernetes.ResourceQuantity;
using K8sQuantity = k8s.Models.ResourceQuantity;

namespace PolicyGate.Scripting.Runtime;

/// <summary>
/// KubernetesClient's models (<c>k8s.Models.V1Service</c>, <c>V1Ingress</c>, ...) for <c>ObjectAs&lt;T&gt;()</c>: read
/// and written with KubernetesClient's own JSON options (<c>k8s.KubernetesJson</c>: IntOrString, quantities, RFC 3339
/// dates, enums as strings), nested as deep as PolicyGate reads an AdmissionReview, and with every quantity checked
/// before KubernetesClient parses it (see <see cref="QuantityGuard"/>).
/// </summary>
internal sealed class KubernetesClientModels : IModelLibrary
{
    /// <summary>
    /// The largest power of ten a quantity may carry (<c>1e1000</c>). KubernetesClient computes a quantity's value
    /// exactly, power of ten included, so <c>1e999999999</c> would take minutes and gigabytes, outside any budget.
    /// </summary>
    public const int MaxExponent = 1000;

    private static readonly Assembly Library = typeof(k8s.Models.V1Pod).Assembly;

    private readonly Lazy<JsonSerializerOptions> _options = new(CreateOptions);

    private KubernetesClientModels()
    {
    }

    /// <summary>The one instance: it holds nothing but read-only options.</summary>
    public static KubernetesClientModels Instance { get; } = new();

    /// <summary>
    /// A KubernetesClient type that involves no script's type: a script's type deriving from one, or a
    /// <c>KubernetesList&lt;ScriptType&gt;</c>, is read with the script's own options, so that KubernetesClient's
    /// process-wide serializer caches never hold a type of a script that is later unloaded.
    /// </summary>
    public bool Owns(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.Assembly == Library && !Collectible(type);
    }

    private static bool Collectible(Type type) =>
        type.IsCollectible
        || (type.HasElementType && Collectible(type.GetElementType()!))
        || (type.IsGenericType && type.GetGenericArguments().Any(Collectible));

    public T? Read<T>(JsonElement element)
        where T : class =>
        element.Deserialize<T>(_options.Value);

    public JsonNode? Write<T>(T value)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value);
        return JsonSerializer.SerializeToNode(value, typeof(T) == typeof(object) ? value.GetType() : typeof(T), _options.Value);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        // KubernetesClient keeps its options private and hands them to a configuring callback: they are copied, never changed.
        JsonSerializerOptions? shared = null;
        k8s.KubernetesJson.AddJsonOptions(o => shared = o);
        var options = new JsonSerializerOptions(shared ?? throw new InvalidOperationException("KubernetesClient gave no JSON options"))
        {
            MaxDepth = AdmissionReviewDocument.MaxDepth,
        };
        options.Converters.Insert(0, new QuantityGuard());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// Reads a quantity as KubernetesClient's converter does, after refusing (as invalid JSON for the model) text longer
    /// than PolicyGate reads quantities and powers of ten beyond <see cref="MaxExponent"/>.
    /// </summary>
    private sealed class QuantityGuard : JsonConverter<K8sQuantity>
    {
        private static readonly SearchValues<char> SuffixCharacters = SearchValues.Create("eEinumkKMGTP");

        public override K8sQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType switch
            {
                JsonTokenType.Number when reader.TryGetDouble(out var number) => number.ToString(CultureInfo.InvariantCulture),
                JsonTokenType.Number => reader.GetDecimal().ToString(CultureInfo.InvariantCulture),
                JsonTokenType.String => reader.GetString() ?? "",
                _ => throw new JsonException($"a quantity is a string or a number, not {reader.TokenType}"),
            };
            Check(text);
            try
            {
                return new K8sQuantity(text);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                throw new JsonException($"invalid quantity \"{text}\": {ex.Message}", ex);
            }
        }

        public override void Write(Utf8JsonWriter writer, K8sQuantity value, JsonSerializerOptions options)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(value);
            writer.WriteStringValue(value.ToString());
        }

        private static void Check(string text)
        {
            var trimmed = text.Trim();
            if (trimmed.Length > CoreQuantity.MaxLength)
            {
                throw new JsonException($"invalid quantity ({trimmed.Length:N0} characters): PolicyGate reads quantities of at most {CoreQuantity.MaxLength:N0} characters");
            }

            var suffix = trimmed.AsSpan().IndexOfAny(SuffixCharacters);
            if (suffix >= 0 && trimmed[suffix] is 'e' or 'E'
                && long.TryParse(trimmed.AsSpan(suffix + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var exponent)
                && Math.Abs(exponent) > MaxExponent)
            {
                throw new JsonException($"invalid quantity \"{trimmed}\": k8s.Models quantities are read with powers of ten up to e{MaxExponent} (PolicyGate's own ResourceQuantity reads any)");
            }
        }
    }
}
