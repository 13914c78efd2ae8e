using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Deep copies of the Kubernetes models, an order of magnitude cheaper than a JSON round trip. The engine parses an
/// object once per request and hands every policy its own copy, so one policy can never change what another sees.
/// A copier is compiled once per model type; strings, <see cref="ResourceQuantity"/> and <see cref="JsonElement"/>
/// are immutable and shared, models, lists and dictionaries are copied.
/// </summary>
public static class ModelCloner
{
    private static readonly ConcurrentDictionary<Type, Func<object, object>> Copiers = new();
    private static readonly MethodInfo CloneModelMethod = typeof(ModelCloner).GetMethod(nameof(CloneModel), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo CloneListMethod = typeof(ModelCloner).GetMethod(nameof(CloneList), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo CloneDictionaryMethod = typeof(ModelCloner).GetMethod(nameof(CloneDictionary), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A deep copy of <paramref name="model"/> (of its runtime type), or null.</summary>
    public static T? Clone<T>(T? model)
        where T : KubernetesModel =>
        model is null ? null : (T)CopierFor(model.GetType())(model);

    private static Func<object, object> CopierFor(Type type) => Copiers.GetOrAdd(type, Build);

    private static T? CloneModel<T>(T? model)
        where T : KubernetesModel => Clone(model);

    private static List<T>? CloneList<T>(IList<T>? list, Func<T, T> cloneItem)
    {
        if (list is null)
        {
            return null;
        }

        var copy = new List<T>(list.Count);
        foreach (var item in list)
        {
            copy.Add(cloneItem(item));
        }

        return copy;
    }

    private static Dictionary<string, T>? CloneDictionary<T>(IDictionary<string, T>? dictionary, Func<T, T> cloneValue)
    {
        if (dictionary is null)
        {
            return null;
        }

        var copy = new Dictionary<string, T>(dictionary.Count, StringComparer.Ordinal);
        foreach (var (key, value) in dictionary)
        {
            copy[key] = cloneValue(value);
        }

        return copy;
    }

    private static Func<object, object> Build(Type type)
    {
        var source = Expression.Parameter(typeof(object), "source");
        var typedSource = Expression.Variable(type, "typed");
        var target = Expression.Variable(type, "copy");
        var body = new List<Expression>
        {
            Expression.Assign(typedSource, Expression.Convert(source, type)),
            Expression.Assign(target, Expression.New(type)),
        };
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetGetMethod(true) is null || property.GetSetMethod(true) is null)
            {
                continue;
            }

            var value = Expression.Property(typedSource, property);
            body.Add(Expression.Assign(Expression.Property(target, property), CopyOf(value, property.PropertyType)));
        }

        body.Add(Expression.Convert(target, typeof(object)));
        return Expression.Lambda<Func<object, object>>(Expression.Block([typedSource, target], body), source).Compile();
    }

    private static Expression CopyOf(Expression value, Type type)
    {
        if (IsImmutable(type))
        {
            return value;
        }

        if (type.IsAssignableTo(typeof(KubernetesModel)))
        {
            // A sealed model's copier is called directly; others dispatch on the runtime type (V1EphemeralContainer).
            return type.IsSealed
                ? Expression.Call(typeof(Copier<>).MakeGenericType(type).GetMethod(nameof(Copier<KubernetesModel>.CopyOrNull))!, value)
                : Expression.Call(CloneModelMethod.MakeGenericMethod(type), value);
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(IList<>) || definition == typeof(List<>))
            {
                return Expression.Convert(Expression.Call(CloneListMethod.MakeGenericMethod(arguments[0]), value, ItemCopier(arguments[0])), type);
            }

            if ((definition == typeof(IDictionary<,>) || definition == typeof(Dictionary<,>)) && arguments[0] == typeof(string))
            {
                return Expression.Convert(Expression.Call(CloneDictionaryMethod.MakeGenericMethod(arguments[1]), value, ItemCopier(arguments[1])), type);
            }

            if (definition == typeof(HashSet<>) && arguments[0] == typeof(string))
            {
                return Expression.Condition(
                    Expression.Equal(value, Expression.Constant(null, type)),
                    Expression.Constant(null, type),
                    Expression.New(type.GetConstructor([typeof(IEnumerable<string>), typeof(IEqualityComparer<string>)])!, value, Expression.Constant(StringComparer.Ordinal)));
            }
        }

        throw new NotSupportedException($"ModelCloner cannot copy a {type}: teach it how, so models stay isolated between policies.");
    }

    /// <summary>
    /// The copier of a list item or dictionary value, compiled once and embedded as a constant: a nested lambda in
    /// an expression tree would be turned into a new delegate on every call, which costs more than the copy.
    /// </summary>
    private static ConstantExpression ItemCopier(Type itemType)
    {
        var delegateType = typeof(Func<,>).MakeGenericType(itemType, itemType);
        Delegate copier;
        if (itemType.IsAssignableTo(typeof(KubernetesModel)))
        {
            var method = itemType.IsSealed
                ? typeof(Copier<>).MakeGenericType(itemType).GetMethod(nameof(Copier<KubernetesModel>.CopyOrNull))!
                : CloneModelMethod.MakeGenericMethod(itemType);
            copier = method.CreateDelegate(delegateType);
        }
        else
        {
            var item = Expression.Parameter(itemType, "item");
            copier = Expression.Lambda(delegateType, CopyOf(item, itemType), item).Compile();
        }

        return Expression.Constant(copier, delegateType);
    }

    private static bool IsImmutable(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(decimal) ||
            underlying == typeof(JsonElement) || underlying == typeof(ResourceQuantity) || underlying == typeof(DateTimeOffset) || underlying == typeof(DateTime);
    }

    /// <summary>The compiled copier of one sealed model type, reached without a dictionary lookup.</summary>
    private static class Copier<T>
        where T : KubernetesModel
    {
        private static readonly Func<object, object> Copy = CopierFor(typeof(T));

        public static T? CopyOrNull(T? model) => model is null ? null : (T)Copy(model);
    }
}
