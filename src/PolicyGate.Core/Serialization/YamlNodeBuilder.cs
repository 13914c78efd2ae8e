using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PolicyGate.Core.Serialization;

/// <summary>
/// Turns the events of one YAML document into a <see cref="JsonNode"/>.
/// </summary>
/// <remarks>
/// The parser's <c>Current</c> event is always the next one not yet consumed. Aliases are resolved by deep-cloning
/// the anchored node (a <see cref="JsonNode"/> has one parent), counted before it is copied: the total of nodes a
/// document expands to is capped (<see cref="YamlJson.MaxNodesPerDocument"/>), and so is the share of them that
/// aliases make (<see cref="CountAliasNodes"/>), so that alias bombs fail fast. Merge keys (<c>&lt;&lt;</c>) are
/// supported: explicit keys win over merged ones, and earlier merge sources win over later ones.
/// </remarks>
internal sealed class YamlNodeBuilder
{
    private const string MergeKey = "<<";

    private readonly IParser _parser;
    private readonly Dictionary<string, YamlAnchor> _anchors = new(StringComparer.Ordinal);
    private int _nodeCount;
    private int _aliasNodeCount;

    public YamlNodeBuilder(IParser parser)
    {
        _parser = parser;
    }

    public ParsingEvent Current => _parser.Current ?? throw new YamlConversionException("unexpected end of the YAML stream");

    /// <summary>Consumes and returns the current event.</summary>
    public ParsingEvent Take()
    {
        var current = Current;
        _parser.MoveNext();
        return current;
    }

    /// <summary>
    /// Reads the root node of a document (the DocumentStart already consumed). Returns <c>false</c> for an empty
    /// document (nothing but comments, or a bare <c>---</c>).
    /// </summary>
    public bool TryBuildRoot(out JsonNode? node)
    {
        _anchors.Clear();
        _nodeCount = 0;
        _aliasNodeCount = 0;
        if (Current is Scalar { Value.Length: 0, Style: ScalarStyle.Plain } empty && empty.Tag.IsEmpty && empty.Anchor.IsEmpty)
        {
            Take();
            node = null;
            return false;
        }

        node = BuildNode(0);
        return true;
    }

    private JsonNode? BuildNode(int depth)
    {
        var ev = Take();
        switch (ev)
        {
            case Scalar scalar:
                {
                    CountNodes(1, scalar.Start);
                    var value = YamlScalarResolver.Resolve(scalar);
                    Register(scalar.Anchor, value, 1, scalar.Value);
                    return value;
                }

            case AnchorAlias alias:
                {
                    var anchor = Resolve(alias);
                    CountAliasNodes(anchor.Size, alias.Start);
                    return anchor.Node?.DeepClone();
                }

            case SequenceStart sequence:
                {
                    CheckDepth(depth, sequence.Start);
                    var before = _nodeCount;
                    CountNodes(1, sequence.Start);
                    var array = new JsonArray();
                    while (Current is not SequenceEnd)
                    {
                        array.Add(BuildNode(depth + 1));
                    }

                    Take();
                    Register(sequence.Anchor, array, _nodeCount - before, null);
                    return array;
                }

            case MappingStart mapping:
                {
                    CheckDepth(depth, mapping.Start);
                    var before = _nodeCount;
                    CountNodes(1, mapping.Start);
                    var obj = BuildMapping(depth);
                    Register(mapping.Anchor, obj, _nodeCount - before, null);
                    return obj;
                }

            default:
                throw new YamlConversionException(ev.Start, $"unexpected YAML event {ev.GetType().Name}");
        }
    }

    private JsonObject BuildMapping(int depth)
    {
        var obj = new JsonObject();
        HashSet<string>? mergedKeys = null;
        while (Current is not MappingEnd)
        {
            var keyEvent = Take();
            string key;
            var isMerge = false;
            switch (keyEvent)
            {
                case Scalar scalar:
                    CountNodes(1, scalar.Start);
                    key = scalar.Value;
                    if (scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty)
                    {
                        if (key.Length == 0)
                        {
                            throw new YamlConversionException(scalar.Start, "mapping key is empty (null); keys must be non-null scalars");
                        }

                        isMerge = key == MergeKey;
                    }

                    if (!scalar.Anchor.IsEmpty)
                    {
                        Register(scalar.Anchor, YamlScalarResolver.Resolve(scalar), 1, key);
                    }

                    break;
                case AnchorAlias alias:
                    key = Resolve(alias).ScalarText
                        ?? throw new YamlConversionException(alias.Start, $"alias *{alias.Value.Value} used as a mapping key must refer to a scalar");
                    break;
                default:
                    throw new YamlConversionException(
                        keyEvent.Start,
                        $"mapping keys must be scalars, found a {(keyEvent is MappingStart ? "mapping" : "sequence")}");
            }

            var value = BuildNode(depth + 1);
            if (isMerge)
            {
                Merge(obj, value, ref mergedKeys, keyEvent.Start);
            }
            else if (!obj.ContainsKey(key))
            {
                obj.Add(key, value);
            }
            else if (mergedKeys is not null && mergedKeys.Remove(key))
            {
                // An explicit key overrides a merged one (and keeps the merged key's position).
                obj[key] = value;
            }
            else
            {
                throw new YamlConversionException(keyEvent.Start, $"duplicate mapping key \"{key}\"");
            }
        }

        Take();
        return obj;
    }

    private static void Merge(JsonObject target, JsonNode? source, ref HashSet<string>? mergedKeys, Mark mark)
    {
        switch (source)
        {
            case JsonObject map:
                MergeMap(target, map, ref mergedKeys);
                break;
            case JsonArray list:
                foreach (var item in list)
                {
                    if (item is not JsonObject itemMap)
                    {
                        throw new YamlConversionException(mark, "merge key '<<' takes a mapping or a sequence of mappings");
                    }

                    MergeMap(target, itemMap, ref mergedKeys);
                }

                break;
            default:
                throw new YamlConversionException(mark, "merge key '<<' takes a mapping or a sequence of mappings");
        }
    }

    private static void MergeMap(JsonObject target, JsonObject source, ref HashSet<string>? mergedKeys)
    {
        foreach (var (key, value) in source)
        {
            if (target.ContainsKey(key))
            {
                continue; // explicit keys and earlier merge sources win
            }

            // Clone: an inline merge source may also be anchored and aliased later.
            target.Add(key, value?.DeepClone());
            (mergedKeys ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
        }
    }

    private YamlAnchor Resolve(AnchorAlias alias)
    {
        return _anchors.TryGetValue(alias.Value.Value, out var anchor)
            ? anchor
            : throw new YamlConversionException(alias.Start, $"alias *{alias.Value.Value} refers to an undefined (or enclosing) anchor");
    }

    private void Register(AnchorName anchor, JsonNode? node, int size, string? scalarText)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = new YamlAnchor(node, size, scalarText);
        }
    }

    private void CountNodes(int count, Mark mark)
    {
        _nodeCount += count;
        if (_nodeCount > YamlJson.MaxNodesPerDocument)
        {
            throw new YamlConversionException(mark, $"document expands to more than the limit of {YamlJson.MaxNodesPerDocument:N0} nodes");
        }
    }

    /// <summary>
    /// Counts the nodes an alias copies, before they are copied. Kubernetes' YAML decoder (go-yaml, since the
    /// "billion laughs" CVE-2019-11253) refuses a document once more than 100 of its nodes came from aliases, it has
    /// more than 1,000 in all, and the share from aliases is over 99% (falling to 10% between 400,000 and 4,000,000
    /// nodes); the same rule here refuses an alias bomb after a few thousand nodes.
    /// </summary>
    private void CountAliasNodes(int count, Mark mark)
    {
        CountNodes(count, mark);
        _aliasNodeCount += count;
        if (_aliasNodeCount > 100 && _nodeCount > 1000 && (double)_aliasNodeCount / _nodeCount > AllowedAliasShare(_nodeCount))
        {
            throw new YamlConversionException(
                mark,
                $"document expands through aliases too much: {_aliasNodeCount} of its first {_nodeCount} nodes are copies made by aliases " +
                $"(the limit, as in Kubernetes' YAML decoder, is {AllowedAliasShare(_nodeCount) * 100:0.#}% of the nodes)");
        }
    }

    private static double AllowedAliasShare(int nodes) => nodes switch
    {
        <= 400_000 => 0.99,
        >= 4_000_000 => 0.10,
        _ => 0.99 - (0.89 * (nodes - 400_000) / 3_600_000),
    };

    private static void CheckDepth(int depth, Mark mark)
    {
        if (depth >= YamlJson.MaxDepth)
        {
            throw new YamlConversionException(mark, $"document is nested deeper than the limit of {YamlJson.MaxDepth} levels");
        }
    }
}
