using System.Collections;

namespace PolicyGate.Core.Kubernetes;

/// <summary>The list a read-only model holds: reads as usual, every change throws <see cref="ReadOnlyModelException"/>.</summary>
public sealed class ReadOnlyModelList<T> : IList<T>, IReadOnlyList<T>
{
    private readonly T[] _items;

    internal ReadOnlyModelList(IEnumerable<T> items) => _items = [.. items];

    private ReadOnlyModelList(T[] items) => _items = items;

    public int Count => _items.Length;

    public bool IsReadOnly => true;

    public T this[int index]
    {
        get => _items[index];
        set => throw Refused();
    }

    /// <summary>Wraps <paramref name="items"/> without copying: the caller hands the array over and keeps no reference to it.</summary>
    internal static ReadOnlyModelList<T> Wrap(T[] items) => new(items);

    public bool Contains(T item) => Array.IndexOf(_items, item) >= 0;

    public int IndexOf(T item) => Array.IndexOf(_items, item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public void Add(T item) => throw Refused();

    public void Clear() => throw Refused();

    public void Insert(int index, T item) => throw Refused();

    public bool Remove(T item) => throw Refused();

    public void RemoveAt(int index) => throw Refused();

    private static ReadOnlyModelException Refused() => new("list");
}
