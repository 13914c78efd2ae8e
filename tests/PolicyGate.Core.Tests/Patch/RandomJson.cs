using System.Text.Json.Nodes;

namespace PolicyGate.Core.Tests.Patch;

/// <summary>Seeded random JSON documents (and mutations of them) for property tests.</summary>
internal static class RandomJson
{
    private static readonly string[] Keys = ["a", "b", "c", "name", "app.kubernetes.io/name", "x~y", "", "labels", "spec", "0"];

    public static JsonObject Object(Random random, int depth)
    {
        var obj = new JsonObject();
        var count = random.Next(depth > 2 ? 3 : 6);
        for (var i = 0; i < count; i++)
        {
            obj[Keys[random.Next(Keys.Length)]] = Value(random, depth + 1);
        }

        return obj;
    }

    public static JsonNode? Value(Random random, int depth)
    {
        var choice = random.Next(depth > 3 ? 6 : 9);
        return choice switch
        {
            0 => null,
            1 => JsonValue.Create(random.Next(3) == 0),
            2 => JsonValue.Create(random.Next(-3, 4)),
            3 => JsonValue.Create(random.Next(3) + 0.5),
            4 => JsonNode.Parse(random.Next(2) == 0 ? "1.0" : "2e0"),
            5 => JsonValue.Create(Keys[random.Next(Keys.Length)]),
            6 or 7 => Object(random, depth),
            _ => Array(random, depth),
        };
    }

    private static JsonArray Array(Random random, int depth)
    {
        var array = new JsonArray();
        var count = random.Next(5);
        for (var i = 0; i < count; i++)
        {
            array.Add(Value(random, depth + 1));
        }

        return array;
    }

    /// <summary>A copy of <paramref name="node"/> with some random changes.</summary>
    public static JsonNode? Mutate(Random random, JsonNode? node, int depth)
    {
        if (random.Next(12) == 0)
        {
            return Value(random, depth);
        }

        switch (node)
        {
            case JsonObject obj:
                {
                    var copy = new JsonObject();
                    foreach (var (key, value) in obj)
                    {
                        switch (random.Next(10))
                        {
                            case 0:
                                break; // removed
                            case 1:
                                copy[key] = null;
                                break;
                            default:
                                copy[key] = Mutate(random, value, depth + 1);
                                break;
                        }
                    }

                    if (random.Next(3) == 0)
                    {
                        copy[Keys[random.Next(Keys.Length)]] = Value(random, depth + 1);
                    }

                    return copy;
                }

            case JsonArray array:
                {
                    var items = array.Select(item => item?.DeepClone()).ToList();
                    switch (random.Next(6))
                    {
                        case 0:
                            items.Add(Value(random, depth + 1));
                            break;
                        case 1 when items.Count > 0:
                            items.RemoveAt(random.Next(items.Count));
                            break;
                        case 2:
                            items.Reverse();
                            break;
                        case 3 when items.Count > 0:
                            var at = random.Next(items.Count);
                            items[at] = Mutate(random, items[at], depth + 1);
                            break;
                        default:
                            break;
                    }

                    return new JsonArray([.. items]);
                }

            default:
                return node?.DeepClone();
        }
    }
}
