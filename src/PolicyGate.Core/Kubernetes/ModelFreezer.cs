using System.Collections.Concurrent;
using System.Reflection;

namespace PolicyGate.Core.Kubernetes;

/// <summary>
/// Makes a model and everything below it read-only, in place: lists and maps become
/// <see cref="ReadOnlyModelList{T}"/> and <see cref="ReadOnlyModelDictionary{TValue}"/>, and every model's setters
/// throw. The engine freezes the one parse of a request that all non-mutating policies share.
/// </summary>
public static class ModelFreezer
{
    private static readonly ConcurrentDictionary<Type, Action<object>[]> Steps = new();
    private static readonly MethodInfo ModelStep = typeof(ModelFreezer).GetMethod(nameof(FreezeModelProperty), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo ListStep = typeof(ModelFreezer).GetMethod(nameof(FreezeListProperty), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly MethodInfo MapStep = typeof(ModelFreezer).GetMethod(nameof(FreezeMapProperty), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Freezes <paramref name="model"/> and returns it.</summary>
    public static T? Freeze<T>(T? model)
        where T : KubernetesModel
    {
        if (model is null || model.IsReadOnly)
        {
            return model;
        }

        foreach (var step in Steps.GetOrAdd(model.GetType(), Plan))
        {
            step(model);
        }

        model.MarkReadOnly();
        return model;
    }

    private static Action<object>[] Plan(Type type)
    {
        var steps = new List<Action<object>>();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetSetMethod() is null)
            {
                continue;
            }

            var propertyType = property.PropertyType;
            var generic = propertyType.IsGenericType ? propertyType.GetGenericTypeDefinition() : null;
            MethodInfo? step = null;
            if (propertyType.IsAssignableTo(typeof(KubernetesModel)))
            {
                step = ModelStep.MakeGenericMethod(type, propertyType);
            }
            else if (generic == typeof(IList<>))
            {
                step = ListStep.MakeGenericMethod(type, propertyType.GetGenericArguments()[0]);
            }
            else if (generic == typeof(IDictionary<,>) && propertyType.GetGenericArguments()[0] == typeof(string))
            {
                step = MapStep.MakeGenericMethod(type, propertyType.GetGenericArguments()[1]);
            }
            else if (propertyType.IsGenericType && !propertyType.IsValueType)
            {
                throw new NotSupportedException($"ModelFreezer cannot freeze {type.Name}.{property.Name} ({propertyType}): declare it as IList<T> or IDictionary<string, T>.");
            }

            if (step is not null)
            {
                steps.Add((Action<object>)step.Invoke(null, [property])!);
            }
        }

        return [.. steps];
    }

    private static Action<object> FreezeModelProperty<TOwner, TModel>(PropertyInfo property)
        where TModel : KubernetesModel
    {
        var get = property.GetGetMethod()!.CreateDelegate<Func<TOwner, TModel?>>();
        return owner => Freeze(get((TOwner)owner));
    }

    private static Action<object> FreezeListProperty<TOwner, TItem>(PropertyInfo property)
    {
        var get = property.GetGetMethod()!.CreateDelegate<Func<TOwner, IList<TItem>?>>();
        var set = property.GetSetMethod()!.CreateDelegate<Action<TOwner, IList<TItem>?>>();
        var itemsAreModels = typeof(TItem).IsAssignableTo(typeof(KubernetesModel));
        return owner =>
        {
            var typed = (TOwner)owner;
            if (get(typed) is not { } list || list is ReadOnlyModelList<TItem>)
            {
                return;
            }

            if (itemsAreModels)
            {
                foreach (var item in list)
                {
                    Freeze(item as KubernetesModel);
                }
            }

            set(typed, new ReadOnlyModelList<TItem>(list));
        };
    }

    private static Action<object> FreezeMapProperty<TOwner, TValue>(PropertyInfo property)
    {
        var get = property.GetGetMethod()!.CreateDelegate<Func<TOwner, IDictionary<string, TValue>?>>();
        var set = property.GetSetMethod()!.CreateDelegate<Action<TOwner, IDictionary<string, TValue>?>>();
        var valuesAreModels = typeof(TValue).IsAssignableTo(typeof(KubernetesModel));
        return owner =>
        {
            var typed = (TOwner)owner;
            if (get(typed) is not { } map || map is ReadOnlyModelDictionary<TValue>)
            {
                return;
            }

            if (valuesAreModels)
            {
                foreach (var value in map.Values)
                {
                    Freeze(value as KubernetesModel);
                }
            }

            set(typed, new ReadOnlyModelDictionary<TValue>(map));
        };
    }
}
