using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Builds frozen Kubernetes models straight from an already-parsed <see cref="JsonElement"/>. The result is what
/// <c>ModelFreezer.Freeze(KubernetesJson.Deserialize&lt;T&gt;(element))</c> gives (same values, same explicit nulls,
/// same extension data; every model read-only, every list a <see cref="ReadOnlyModelList{T}"/>, every map a
/// <see cref="ReadOnlyModelDictionary{TValue}"/>) at a fraction of the cost: properties are set through typed
/// delegates (no boxing), lists and maps are built once at their final size and wrapped without a copy, there is no
/// second walk to freeze, and JSON values are kept as elements of the caller's document instead of being copied.
/// </summary>
/// <remarks>
/// <para>
/// The reading rules are those of <see cref="KubernetesJson.Options"/>, which stays the reference: camelCase names
/// (or a property's <see cref="JsonPropertyNameAttribute"/>), compared case-sensitively; the value of a property
/// with <see cref="JsonIgnoreAttribute"/> (condition <c>Always</c>) is skipped; undeclared names go to
/// <see cref="KubernetesModel.ExtensionData"/> in document order; on a duplicate name the last value wins; a JSON
/// <c>null</c> on a declared property is recorded in <see cref="KubernetesModel.ExplicitNulls"/> (as
/// <see cref="ExplicitNullTracking"/> does); numbers are strict (no strings, no fraction or exponent, no overflow);
/// quantities are read from a string or a number through <see cref="ResourceQuantity.TryParseJson"/>.
/// </para>
/// <para>
/// A read plan per model type is built once, by reflection, the first time the type is read; a property of a type
/// the reader does not know throws <see cref="NotSupportedException"/> then, before any JSON is read.
/// </para>
/// </remarks>
internal static partial class ModelReader
{
    private static readonly ConcurrentDictionary<Type, ModelPlan> Plans = new();
    private static readonly Lock PlanLock = new();

    /// <summary>Reads <paramref name="element"/> as a frozen <typeparamref name="T"/>; JSON <c>null</c> gives null.</summary>
    /// <remarks>
    /// <see cref="JsonElement"/> values in the result (raw-JSON properties such as probes, raw-JSON list items,
    /// extension data) are elements of <paramref name="element"/>'s own <see cref="JsonDocument"/>, not copies: the
    /// caller must keep that document alive (undisposed) for as long as the model is used.
    /// </remarks>
    /// <exception cref="JsonException">
    /// The JSON does not fit the model; the message starts with the JSON path (<c>$.containers[0].name: ...</c>),
    /// which is also in <see cref="JsonException.Path"/>.
    /// </exception>
    /// <exception cref="NotSupportedException">The model has a property of a type the reader does not know.</exception>
    internal static T? ReadFrozen<T>(JsonElement element)
        where T : KubernetesModel =>
        (T?)ReadFrozen(element, typeof(T));

    /// <summary>Reads <paramref name="element"/> as a frozen model of <paramref name="type"/>; JSON <c>null</c> gives null.</summary>
    /// <remarks>See <see cref="ReadFrozen{T}(JsonElement)"/>: the caller keeps the element's document alive.</remarks>
    internal static KubernetesModel? ReadFrozen(JsonElement element, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var plan = PlanFor(type);
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => plan.ReadModel(element),
                JsonValueKind.Null => null,
                _ => throw ReadError.Expected("an object or null", element),
            };
        }
        catch (ReadError error)
        {
            var path = error.FormatPath();
            throw new JsonException($"{path}: {error.Message}", path, lineNumber: null, bytePositionInLine: null);
        }
    }

    private static ModelPlan PlanFor(Type type)
    {
        if (Plans.TryGetValue(type, out var plan))
        {
            return plan;
        }

        // Plans refer to each other (a pod spec's plan holds its containers' plan), so a type and everything below
        // it is planned under one lock and published only if all of it is supported.
        lock (PlanLock)
        {
            var building = new Dictionary<Type, ModelPlan>();
            plan = Plan(type, building);
            foreach (var (plannedType, planned) in building)
            {
                Plans.TryAdd(plannedType, planned);
            }

            return plan;
        }
    }

    private static ModelPlan Plan(Type type, Dictionary<Type, ModelPlan> building)
    {
        if (Plans.TryGetValue(type, out var plan) || building.TryGetValue(type, out plan))
        {
            return plan;
        }

        if (!type.IsAssignableTo(typeof(KubernetesModel)) || type.IsAbstract || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new NotSupportedException($"ModelReader cannot read a {type}: it reads KubernetesModel types that are not abstract and have a public parameterless constructor.");
        }

        plan = (ModelPlan)Activator.CreateInstance(typeof(ModelPlan<>).MakeGenericType(type))!;
        building.Add(type, plan); // before its properties are planned, so that a type below can refer back to it
        plan.Initialize(building);
        return plan;
    }

    /// <summary>
    /// The reader of a property, list item or map value of <paramref name="type"/>. <paramref name="inProperty"/>:
    /// the value is a property's (whose JSON <c>null</c> is handled by the property), so a number or boolean reader's
    /// error says null was also acceptable there.
    /// </summary>
    private static object ReaderFor(Type type, bool inProperty, Dictionary<Type, ModelPlan> building, string owner)
    {
        if (type == typeof(string))
        {
            return StringReader.Instance;
        }

        if (type == typeof(int))
        {
            return inProperty ? Int32Reader.InProperty : Int32Reader.InCollection;
        }

        if (type == typeof(long))
        {
            return inProperty ? Int64Reader.InProperty : Int64Reader.InCollection;
        }

        if (type == typeof(bool))
        {
            return inProperty ? BooleanReader.InProperty : BooleanReader.InCollection;
        }

        if (type == typeof(JsonElement))
        {
            return ElementReader.Instance;
        }

        if (type == typeof(ResourceQuantity))
        {
            return QuantityReader.Instance;
        }

        if (type.IsAssignableTo(typeof(KubernetesModel)))
        {
            var plan = Plan(type, building);
            return Activator.CreateInstance(typeof(ModelValueReader<>).MakeGenericType(type), plan)!;
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(IList<>))
            {
                var itemReader = ReaderFor(arguments[0], inProperty: false, building, owner);
                return Activator.CreateInstance(typeof(ListReader<>).MakeGenericType(arguments[0]), itemReader)!;
            }

            if (definition == typeof(IDictionary<,>) && arguments[0] == typeof(string))
            {
                var valueReader = ReaderFor(arguments[1], inProperty: false, building, owner);
                return Activator.CreateInstance(typeof(MapReader<>).MakeGenericType(arguments[1]), valueReader)!;
            }
        }

        throw new NotSupportedException(
            $"ModelReader cannot read {owner} ({type}): declare it as string, int?, long?, bool?, JsonElement?, a model, " +
            "IList<T> or IDictionary<string, T> of those, or teach the reader the type.");
    }

    private static void RecordExplicitNull(KubernetesModel model, string name) =>
        (model.ExplicitNulls ??= new HashSet<string>(StringComparer.Ordinal)).Add(name);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => "no value",
    };

    /// <summary>The read plan of one model type.</summary>
    private abstract class ModelPlan
    {
        public abstract void Initialize(Dictionary<Type, ModelPlan> building);

        public abstract KubernetesModel ReadModel(JsonElement element);
    }

    /// <summary>
    /// The read plan of <typeparamref name="TModel"/>: its properties, found by the raw UTF-8 bytes of a JSON name
    /// (bucketed by length, then compared byte for byte), each with a typed setter and the reader of its value.
    /// </summary>
    private sealed class ModelPlan<TModel> : ModelPlan
        where TModel : KubernetesModel, new()
    {
        /// <summary>The constructor, compiled: <c>new TModel()</c> in code shared by reference types goes through Activator.</summary>
        private static readonly Func<TModel> Create = Expression.Lambda<Func<TModel>>(Expression.New(typeof(TModel))).Compile();

        private Slot<TModel>[]?[] _byLength = [];
        private Dictionary<string, Slot<TModel>> _byName = new(StringComparer.Ordinal);

        public override void Initialize(Dictionary<Type, ModelPlan> building)
        {
            var byName = new Dictionary<string, Slot<TModel>>(StringComparer.Ordinal);
            var longest = 0;
            foreach (var property in typeof(TModel).GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(JsonExtensionDataAttribute), inherit: true))
                {
                    continue;
                }

                var owner = $"{typeof(TModel).Name}.{property.Name}";
                var name = property.GetCustomAttribute<JsonPropertyNameAttribute>(inherit: true)?.Name
                    ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                Slot<TModel> slot;
                if (property.GetCustomAttribute<JsonIgnoreAttribute>(inherit: true) is { Condition: JsonIgnoreCondition.Always })
                {
                    // STJ still knows the name of an ignored property (isReadOnly): its value is skipped, not kept as extension data.
                    slot = new IgnoredSlot<TModel>(name);
                }
                else
                {
                    var setter = property.GetSetMethod()
                        ?? throw new NotSupportedException($"ModelReader cannot read {owner}: it has no public setter (mark it [JsonIgnore] if it is not JSON).");
                    slot = CreateSlot(property, setter, name, building, owner);
                }

                if (!byName.TryAdd(name, slot))
                {
                    throw new NotSupportedException($"ModelReader cannot read {typeof(TModel).Name}: two properties are named \"{name}\" in JSON.");
                }

                longest = Math.Max(longest, slot.Utf8Name.Length);
            }

            var byLength = new List<Slot<TModel>>?[longest + 1];
            foreach (var slot in byName.Values)
            {
                (byLength[slot.Utf8Name.Length] ??= []).Add(slot);
            }

            var buckets = new Slot<TModel>[]?[byLength.Length];
            for (var length = 0; length < byLength.Length; length++)
            {
                buckets[length] = byLength[length]?.ToArray();
            }

            _byName = byName;
            _byLength = buckets;
        }

        public override KubernetesModel ReadModel(JsonElement element) => Read(element);

        /// <summary>Reads a JSON object (the caller checked the kind) into a new, frozen model.</summary>
        public TModel Read(JsonElement element)
        {
            var model = Create();
            Dictionary<string, JsonElement>? unknown = null;
            foreach (var property in element.EnumerateObject())
            {
                var slot = Find(property);
                if (slot is null)
                {
                    // As STJ does for [JsonExtensionData]: kept by reference, in document order, last duplicate wins.
                    unknown ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    unknown[property.Name] = property.Value;
                    continue;
                }

                try
                {
                    slot.Read(model, property.Value);
                }
                catch (ReadError error)
                {
                    error.AddProperty(slot.Name);
                    throw;
                }
            }

            if (unknown is not null)
            {
                model.ExtensionData = ReadOnlyModelDictionary<JsonElement>.Wrap(unknown);
            }

            model.MarkReadOnly();
            return model;
        }

        private static Slot<TModel> CreateSlot(PropertyInfo property, MethodInfo setter, string name, Dictionary<Type, ModelPlan> building, string owner)
        {
            var type = property.PropertyType;
            var underlying = Nullable.GetUnderlyingType(type);
            if (type.IsValueType && underlying is null)
            {
                throw new NotSupportedException($"ModelReader cannot read {owner} ({type}): a value-type property must be nullable, as every Kubernetes field is optional.");
            }

            var valueType = underlying ?? type;
            var reader = ReaderFor(valueType, inProperty: true, building, owner);
            var set = setter.CreateDelegate(typeof(Action<,>).MakeGenericType(typeof(TModel), type));
            var slotType = (underlying is null ? typeof(ReferenceSlot<,>) : typeof(NullableSlot<,>)).MakeGenericType(typeof(TModel), valueType);
            return (Slot<TModel>)Activator.CreateInstance(slotType, name, set, reader)!;
        }

        private Slot<TModel>? Find(JsonProperty property)
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            var byLength = _byLength;
            if ((uint)raw.Length < (uint)byLength.Length && byLength[raw.Length] is { } candidates)
            {
                foreach (var slot in candidates)
                {
                    if (raw.SequenceEqual(slot.Utf8Name))
                    {
                        return slot;
                    }
                }
            }

            // An escaped name ("c\u006fntainers") cannot match raw bytes: compare it unescaped.
            return raw.Contains((byte)'\\') && _byName.TryGetValue(property.Name, out var unescaped) ? unescaped : null;
        }
    }

    /// <summary>One declared property of <typeparamref name="TModel"/>: its JSON name and how to read and set it.</summary>
    private abstract class Slot<TModel>(string name)
        where TModel : KubernetesModel
    {
        public string Name { get; } = name;

        public byte[] Utf8Name { get; } = Encoding.UTF8.GetBytes(name);

        public abstract void Read(TModel model, JsonElement value);
    }

    /// <summary>A property marked [JsonIgnore]: its JSON value is skipped, as STJ skips it.</summary>
    private sealed class IgnoredSlot<TModel>(string name) : Slot<TModel>(name)
        where TModel : KubernetesModel
    {
        public override void Read(TModel model, JsonElement value)
        {
        }
    }

    /// <summary>A reference-typed property (string, model, list, map): JSON <c>null</c> sets null and is recorded.</summary>
    private sealed class ReferenceSlot<TModel, T>(string name, Action<TModel, T?> set, ValueReader<T> reader) : Slot<TModel>(name)
        where TModel : KubernetesModel
        where T : class
    {
        public override void Read(TModel model, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                set(model, null);
                RecordExplicitNull(model, Name);
            }
            else
            {
                set(model, reader.Read(value));
            }
        }
    }

    /// <summary>A nullable value-typed property (int?, long?, bool?, JsonElement?): JSON <c>null</c> sets null and is recorded.</summary>
    private sealed class NullableSlot<TModel, T>(string name, Action<TModel, T?> set, ValueReader<T> reader) : Slot<TModel>(name)
        where TModel : KubernetesModel
        where T : struct
    {
        public override void Read(TModel model, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                set(model, null);
                RecordExplicitNull(model, Name);
            }
            else
            {
                set(model, reader.Read(value));
            }
        }
    }

    /// <summary>
    /// A model being read failed at some JSON value. Unwinding, each enclosing property and list adds its step to the
    /// path, so that reading costs nothing for a path that only an error needs.
    /// </summary>
    private sealed class ReadError : Exception
    {
        private readonly List<(string? Name, int Index)> _reversedPath = [];

        public ReadError()
        {
        }

        public ReadError(string message)
            : base(message)
        {
        }

        public ReadError(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public static ReadError Expected(string expected, JsonElement value) => new($"expected {expected}, got {Describe(value)}");

        public void AddProperty(string name) => _reversedPath.Add((name, 0));

        public void AddIndex(int index) => _reversedPath.Add((null, index));

        /// <summary>The path as System.Text.Json writes it: <c>$.spec.containers[0]</c>, <c>$.labels['app.kubernetes.io/name']</c>.</summary>
        public string FormatPath()
        {
            var path = new StringBuilder("$");
            for (var i = _reversedPath.Count - 1; i >= 0; i--)
            {
                var (name, index) = _reversedPath[i];
                if (name is null)
                {
                    path.Append('[').Append(index).Append(']');
                }
                else if (IsPlainName(name))
                {
                    path.Append('.').Append(name);
                }
                else
                {
                    path.Append("['").Append(name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
                }
            }

            return path.ToString();
        }

        private static bool IsPlainName(string name)
        {
            foreach (var c in name)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
                {
                    return false;
                }
            }

            return name.Length > 0;
        }
    }
}
