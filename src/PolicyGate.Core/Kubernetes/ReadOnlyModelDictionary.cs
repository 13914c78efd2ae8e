using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace PolicyGate.Core.Kubernetes;

/// <summary>The map a read-only model holds (labels, limits...): reads as usual, every change throws <see cref="ReadOnlyModelException"/>.</summary>
public sealed class ReadOnlyModelDictionary<TValue> : IDictionary<string, TValue>, IReadOnlyDictionary<string, TValue>
{
    private readonly Dictionary<string, TValue> _items;

    internal ReadOnlyModelDictionary(IEnumerable<KeyValuePair<string, TValue>> items) => _items = new(items, StringComparer.Ordinal);

    private ReadOnlyModelDictionary(Dictionary<string, TValue> items) => _items = items;

    public int Count => _items.Count;

    public bool IsReadOnly => true;

    public ICollection<string> Keys => _items.Keys;

    public ICollection<TValue> Values => _items.Values;

    IEnumerable<string> IReadOnlyDictionary<string, TValue>.Keys => _items.Keys;

    IEnumerable<TValue> IReadOnlyDictionary<string, TValue>.Values => _items.Values;

    public TValue this[string key]
    {
        get => _items[key];
        set => throw Refused();
    }

    /// <summary>
    /// Wraps <paramref name="items"/> without copying: the caller hands the dictionary over (built with
    /// <see cref="StringComparer.Ordinal"/>) and keeps no reference to it.
    /// </summary>
    internal static ReadOnlyModelDictionary<TValue> Wrap(Dictionary<string, TValue> items) =>
        items.Comparer == StringComparer.Ordinal ? new(items) : throw new ArgumentException("the dictionary must compare keys with StringComparer.Ordinal", nameof(items));

    public bool ContainsKey(string key) => _items.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TValue value) => _items.TryGetValue(key, out value);

    public bool Contains(KeyValuePair<string, TValue> item) => ((ICollection<KeyValuePair<string, TValue>>)_items).Contains(item);

    public void CopyTo(KeyValuePair<string, TValue>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, TValue>>)_items).CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, TValue>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public void Add(string key, TValue value) => throw Refused();

    public void Add(KeyValuePair<string, TValue> item) => throw Refused();

    public bool Remove(string key) => throw Refused();

    public bool Remove(KeyValuePair<string, TValue> item) => throw Refused();

    public void Clear() => throw Refused();

    private static ReadOnlyModelException Refused() => new("map");
}
