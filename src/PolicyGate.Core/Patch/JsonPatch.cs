using System.Text.Json.Nodes;
using PolicyGate.Core.Serialization;

namespace PolicyGate.Core.Patch;

/// <summary>
/// JSON Patch (RFC 6902): computing a patch between two documents and applying one.
/// </summary>
/// <remarks>
/// <para>
/// <b>Kubernetes null semantics.</b> <see cref="CreateDiff"/> treats an object property whose value is JSON null
/// exactly like an absent one (typed models drop nulls when they serialise), so <c>{"a":null}</c> and <c>{}</c> give
/// no operation; values written into the patch have their null properties left out too. Nulls inside arrays are
/// values like any other.
/// </para>
/// <para>
/// <b>Order of the operations</b> (deterministic: it depends only on the two documents, property order included):
/// </para>
/// <list type="number">
/// <item>Two objects: first, walking the MODIFIED object's properties in their order, an <c>add</c> for each property
/// the original lacks (or has as null), and for each property both have, the operations of comparing the two values
/// (recursively, in place); then a <c>remove</c> for each property of the original the modified object lacks (or has
/// as null), in the ORIGINAL object's order.</item>
/// <item>Two arrays: nothing if they are equal; if they have the same length and the modified array is a
/// reordering of the original (same elements, other order), one <c>replace</c> of the whole array; if they have the
/// same length otherwise, the operations of comparing the elements index by index, in increasing index order; if the
/// modified array is the original with elements appended, an <c>add</c> for each appended element at its explicit
/// index (<c>/path/2</c>, <c>/path/3</c>, ... never <c>-</c>), in increasing order; in any other case (elements removed
/// or inserted) one <c>replace</c> of the whole array.</item>
/// <item>Anything else that differs (scalars, or values of different types): one <c>replace</c>. Numbers compare by
/// value, so <c>1</c> and <c>1.0</c> are equal.</item>
/// <item>Root: a null/absent original and an object give an <c>add</c> of each top-level property (Kubernetes does not
/// accept a <c>replace</c> of the root); a null/absent modified document gives <c>replace ""</c> with null; roots of
/// different types give <c>replace ""</c>.</item>
/// </list>
/// <para>Paths are JSON pointers: <c>~</c> is written <c>~0</c> and <c>/</c> is written <c>~1</c>.</para>
/// </remarks>
public static class JsonPatch
{
    /// <summary>Computes a patch turning <paramref name="original"/> into <paramref name="modified"/> (see the type's remarks).</summary>
    public static JsonArray CreateDiff(JsonNode? original, JsonNode? modified)
    {
        var operations = new JsonArray();
        var originalIsNull = JsonNodeEquality.IsNull(original);
        var modifiedIsNull = JsonNodeEquality.IsNull(modified);
        if (originalIsNull && modifiedIsNull)
        {
            return operations;
        }

        if (originalIsNull && modified is JsonObject modifiedObject)
        {
            foreach (var (key, value) in modifiedObject)
            {
                if (!JsonNodeEquality.IsNull(value))
                {
                    AddOperation(operations, "add", JsonPointer.Append(string.Empty, key), value);
                }
            }

            return operations;
        }

        if (originalIsNull || modifiedIsNull)
        {
            AddOperation(operations, "replace", string.Empty, modifiedIsNull ? null : modified);
            return operations;
        }

        Diff(original!, modified!, string.Empty, operations);
        return operations;
    }

    /// <summary>
    /// Applies <paramref name="patch"/> to a copy of <paramref name="document"/> and returns the copy; the inputs are
    /// never changed. Supports add, remove, replace, move, copy and test. As an extension, an <c>add</c> below the root
    /// of a null/absent document starts from an empty object (the counterpart of <see cref="CreateDiff"/> for a null
    /// original).
    /// </summary>
    /// <exception cref="JsonPatchException">An operation is malformed, its path does not exist, or a test fails.</exception>
    public static JsonNode? Apply(JsonNode? document, JsonArray patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        var root = document?.DeepClone();
        for (var index = 0; index < patch.Count; index++)
        {
            root = new PatchStep(index, patch[index]).Apply(root);
        }

        return root;
    }

    private static void Diff(JsonNode original, JsonNode modified, string path, JsonArray operations)
    {
        switch (original)
        {
            case JsonObject originalObject when modified is JsonObject modifiedObject:
                DiffObjects(originalObject, modifiedObject, path, operations);
                break;
            case JsonArray originalArray when modified is JsonArray modifiedArray:
                DiffArrays(originalArray, modifiedArray, path, operations);
                break;
            default:
                if (!JsonNodeEquality.DeepEquals(original, modified, ignoreNullProperties: true))
                {
                    AddOperation(operations, "replace", path, modified);
                }

                break;
        }
    }

    private static void DiffObjects(JsonObject original, JsonObject modified, string path, JsonArray operations)
    {
        foreach (var (key, modifiedValue) in modified)
        {
            if (JsonNodeEquality.IsNull(modifiedValue))
            {
                continue;
            }

            var childPath = JsonPointer.Append(path, key);
            if (!original.TryGetPropertyValue(key, out var originalValue) || JsonNodeEquality.IsNull(originalValue))
            {
                AddOperation(operations, "add", childPath, modifiedValue);
            }
            else
            {
                Diff(originalValue!, modifiedValue!, childPath, operations);
            }
        }

        foreach (var (key, originalValue) in original)
        {
            if (!JsonNodeEquality.IsNull(originalValue)
                && (!modified.TryGetPropertyValue(key, out var modifiedValue) || JsonNodeEquality.IsNull(modifiedValue)))
            {
                operations.Add(new JsonObject { ["op"] = "remove", ["path"] = JsonPointer.Append(path, key) });
            }
        }
    }

    private static void DiffArrays(JsonArray original, JsonArray modified, string path, JsonArray operations)
    {
        if (JsonNodeEquality.DeepEquals(original, modified, ignoreNullProperties: true))
        {
            return;
        }

        if (original.Count == modified.Count)
        {
            if (IsReordering(original, modified))
            {
                AddOperation(operations, "replace", path, modified);
                return;
            }

            for (var i = 0; i < original.Count; i++)
            {
                var originalItem = original[i];
                var modifiedItem = modified[i];
                if (JsonNodeEquality.IsNull(originalItem) || JsonNodeEquality.IsNull(modifiedItem))
                {
                    if (JsonNodeEquality.IsNull(originalItem) != JsonNodeEquality.IsNull(modifiedItem))
                    {
                        AddOperation(operations, "replace", JsonPointer.Append(path, i), modifiedItem);
                    }
                }
                else
                {
                    Diff(originalItem!, modifiedItem!, JsonPointer.Append(path, i), operations);
                }
            }

            return;
        }

        if (modified.Count > original.Count && HasPrefix(modified, original))
        {
            for (var i = original.Count; i < modified.Count; i++)
            {
                AddOperation(operations, "add", JsonPointer.Append(path, i), modified[i]);
            }

            return;
        }

        AddOperation(operations, "replace", path, modified);
    }

    private static bool HasPrefix(JsonArray array, JsonArray prefix)
    {
        for (var i = 0; i < prefix.Count; i++)
        {
            if (!JsonNodeEquality.DeepEquals(prefix[i], array[i], ignoreNullProperties: true))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether two arrays of the same length hold the same elements (as a multiset) in another order.</summary>
    private static bool IsReordering(JsonArray original, JsonArray modified)
    {
        var used = new bool[original.Count];
        foreach (var item in modified)
        {
            var found = false;
            for (var j = 0; j < original.Count; j++)
            {
                if (!used[j] && JsonNodeEquality.DeepEquals(original[j], item, ignoreNullProperties: true))
                {
                    used[j] = true;
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static void AddOperation(JsonArray operations, string op, string path, JsonNode? value)
    {
        operations.Add(new JsonObject { ["op"] = op, ["path"] = path, ["value"] = CloneWithoutNullProperties(value) });
    }

    /// <summary>Deep-clones a value, leaving out object properties whose value is null.</summary>
    private static JsonNode? CloneWithoutNullProperties(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var objectCopy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (!JsonNodeEquality.IsNull(value))
                    {
                        objectCopy.Add(key, CloneWithoutNullProperties(value));
                    }
                }

                return objectCopy;
            case JsonArray array:
                var arrayCopy = new JsonArray();
                foreach (var item in array)
                {
                    arrayCopy.Add(CloneWithoutNullProperties(item));
                }

                return arrayCopy;
            default:
                return JsonNodeEquality.IsNull(node) ? null : node!.DeepClone();
        }
    }
}
