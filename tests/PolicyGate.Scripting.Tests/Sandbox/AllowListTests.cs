using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Sandbox;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Sandbox;

/// <summary>What the API allow-list must keep working: the shipped policies and everyday script code.</summary>
public class AllowListTests
{
    public static TheoryData<string> BuiltinScripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Policies, "*.csx").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BuiltinScripts))]
    public void Compile_BuiltinPolicy_PassesTheAllowList(string file)
    {
        var path = Path.Combine(RepoPaths.Policies, file);

        AssertAllowed(File.ReadAllText(path), path);
    }

    [Fact]
    public void Load_ExamplePolicies_PassTheAllowList()
    {
        var path = Path.Combine(RepoPaths.Policies, "examples", "seed-policies.yaml");

        var result = TestPolicies.Load(File.ReadAllText(path), path);

        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        Assert.Equal(2, result.Policies.Count);
    }

    public static TheoryData<string, string> AllowedSnippets() => new()
    {
        { "linq", """
            var xs = new[] { 3, 1, 2 }.Where(x => x > 1).OrderBy(x => x).Select(x => x * 2).ToList();
            var q = from x in xs where x > 2 let y = x + 1 orderby y descending select y.ToString();
            var groups = xs.GroupBy(x => x % 2).ToDictionary(g => g.Key, g => g.Count());
            var lookup = xs.ToLookup(x => x);
            return q.Any() && groups.Count > 0 && lookup[4].Any() && xs.Zip(xs).All(p => p.First == p.Second) ? Allow() : Deny("linq");
            """ },
        { "regex", """
            var r = new Regex("^a+$", RegexOptions.IgnoreCase);
            var m = Regex.Match("key=value", "(?<k>\\w+)=(?<v>\\w+)");
            var shortTimeout = new Regex("b", RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return r.IsMatch("aAa") && m.Groups["v"].Value == "value" && Regex.Replace("a-b", "-", "_") == "a_b" && shortTimeout.MatchTimeout.TotalMilliseconds == 100 ? Allow() : Deny("regex");
            """ },
        { "string building", """
            var sb = new StringBuilder();
            sb.Append("a").Append(1).AppendLine().Append($"{2}x").AppendJoin(",", new[] { "p", "q" });
            var s = string.Join(",", new[] { "a" }) + "x".PadLeft(3) + 1.5.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{1}") + $"{DateTime.UnixEpoch:yyyy}";
            var bytes = Encoding.UTF8.GetBytes(s);
            return sb.ToString().Contains("p,q") && s.Contains('a') && bytes.Length > 0 && new Rune('a').IsAscii ? Allow() : Deny("text");
            """ },
        { "json", """
            using System.Text.Json.Serialization;
            sealed class Dto { [JsonPropertyName("n")] public string? Name { get; set; } }
            var node = JsonNode.Parse("{\"a\":[1,2]}")!;
            var text = JsonSerializer.Serialize(new { A = 1 });
            var doc = JsonDocument.Parse("[1]");
            var options = new JsonSerializerOptions { WriteIndented = true, PropertyNameCaseInsensitive = true };
            var map = JsonSerializer.Deserialize<Dictionary<string, int>>("{\"a\":1}", options);
            var dto = JsonSerializer.Deserialize<Dto>("{\"n\":\"x\"}");
            node["b"] = new JsonObject { ["c"] = 1 };
            return node["a"]!.AsArray().Count == 2 && map!["a"] == 1 && dto!.Name == "x" && doc.RootElement.GetArrayLength() == 1 && text.Length > 0 ? Allow() : Deny("json");
            """ },
        { "records with init", """
            record Point(int X, int Y) { public string? Label { get; init; } }
            readonly record struct Size(int W, int H);
            var p = new Point(1, 2) { Label = "a" };
            var q = p with { X = 3 };
            var (x, y) = q;
            return x == 3 && y == 2 && p != q && new Size(1, 2).W == 1 && p.ToString().Contains("Label") ? Allow() : Deny("records");
            """ },
        { "local functions and lambdas", """
            int Fact(int n) => n <= 1 ? 1 : n * Fact(n - 1);
            static int Twice(int v) => v * 2;
            Func<int, int> inc = x => x + 1;
            Action<List<int>> add = l => l.Add(1);
            Predicate<int> even = x => x % 2 == 0;
            Comparison<int> cmp = (a, b) => a.CompareTo(b);
            Func<string, int> parse = s => int.Parse(s);
            Func<int, int> twice = Twice;
            var list = new List<int> { 3, 1 };
            list.Sort(cmp);
            add(list);
            var flat = new[] { new[] { 1 }, new[] { 2, 3 } }.SelectMany(xs => xs.AsEnumerable()).Count();
            return Fact(5) == 120 && twice(2) == 4 && inc(1) == 2 && even(2) && parse("7") == 7 && list[0] == 1 && flat == 3 ? Allow() : Deny("functions");
            """ },
        { "tuples and deconstruction", """
            (string Name, int Count) t = ("a", 1);
            var (n, c) = t;
            var list = new List<(string, int)> { t };
            foreach (var (a, b) in list) { }
            var dict = new Dictionary<string, int> { ["a"] = 1 };
            foreach (var (k, v) in dict) { }
            var tuple = ValueTuple.Create(1, "x");
            return n == "a" && c == 1 && tuple.Item2 == "x" ? Allow() : Deny("tuples");
            """ },
        { "pattern matching", """
            object o = 42;
            var s = o switch { int i when i > 40 => "big", string str => str, null => "null", _ => "other" };
            var kv = new KeyValuePair<string, int>("a", 1);
            object pair = (1, 2);
            var ok = o is int { } j && j is > 0 and < 100 && kv is ("a", 1) && pair is (1, 2) && new[] { 1, 2, 3 } is [1, .., 3];
            return s == "big" && ok ? Allow() : Deny(s);
            """ },
        { "guid dates math", """
            var g = Guid.NewGuid();
            var now = DateTime.UtcNow;
            var earlier = DateTimeOffset.UtcNow - TimeSpan.FromHours(1);
            var m = Math.Max(1, Math.Round(2.5, MidpointRounding.AwayFromZero)) + MathF.Sqrt(4f);
            var day = DateOnly.FromDateTime(now);
            var random = new Random(42).Next(10);
            var hash = HashCode.Combine(1, "a");
            var v = Version.Parse("1.2.3");
            var u = new Uri("https://example.com/a?b=c");
            var bits = BitConverter.GetBytes(1);
            var b64 = Convert.ToBase64String(bits);
            return g != Guid.Empty && m >= 3 && day.Year > 2000 && earlier < DateTimeOffset.UtcNow && random < 10 && v.Major == 1 && u.Host == "example.com" && b64.Length > 0 && hash == HashCode.Combine(1, "a") ? Allow() : Deny("values");
            """ },
        { "ip addresses", """
            var ip = System.Net.IPAddress.Parse("10.1.2.3");
            var network = System.Net.IPNetwork.Parse("10.0.0.0/8");
            var encoded = System.Net.WebUtility.HtmlEncode("<a>");
            return network.Contains(ip) && encoded == "&lt;a&gt;" ? Allow() : Deny("ip");
            """ },
        { "collections", """
            using System.Collections.Immutable;
            using System.Collections.Frozen;
            using System.Collections.ObjectModel;
            var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "a" };
            var queue = new Queue<int>();
            queue.Enqueue(1);
            var sorted = new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 };
            var imm = ImmutableArray.Create(1, 2).Add(3);
            var frozen = new[] { "a" }.ToFrozenSet();
            var readOnly = new ReadOnlyCollection<int>(new List<int> { 1 });
            var concurrent = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
            concurrent["x"] = 1;
            int[] array = [1, 2, 3];
            int SpanLength() { Span<int> span = array.AsSpan(1); return span.Length; }
            var last = array[^1] + array[1..].Length;
            return set.Contains("A") && imm.Length == 3 && frozen.Contains("a") && readOnly.Count == 1 && SpanLength() == 2 && sorted.First().Key == "a" && last == 5 ? Allow() : Deny("collections");
            """ },
        { "cancellation token", """
            var token = CancellationToken;
            token.ThrowIfCancellationRequested();
            return token.IsCancellationRequested || !token.CanBeCanceled ? Deny("cancelled") : Allow();
            """ },
        { "await completed tasks", """
            using System.Threading.Tasks;
            var v = await Task.FromResult(40);
            async Task<int> AddOne(int a) { await Task.CompletedTask; return a + 1; }
            async ValueTask<int> AddTwo(int a) => await AddOne(a) + 1;
            return await AddTwo(v) == 42 ? Allow() : Deny("await");
            """ },
        { "policy api and models", """
            var pod = ObjectAs<V1Pod>();
            var spec = PodSpec();
            var copy = Copy(spec);
            Warn("checked");
            AuditAnnotation("checked", "yes");
            var quantity = ResourceQuantity.Parse("1Gi");
            return pod?.Metadata?.Name is not null && copy is not null && quantity.ToString() == "1Gi" && Request.Kind.Kind == "Pod" ? Allow() : Deny("api");
            """ },
        { "static readonly immutable values", """
            using System.Collections.Immutable;
            static class Known
            {
                public const string Name = "x";
                public static readonly Regex Dns = new("^[a-z]+$");
                public static readonly ImmutableArray<string> Names = ImmutableArray.Create("a");
                public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
                public static string Label => Name + "!";
            }
            return Known.Dns.IsMatch("abc") && Known.Names.Length == 1 && Known.Label == "x!" ? Allow() : Deny("static");
            """ },
        { "exceptions and enums", """
            [Flags] enum Access { None = 0, Read = 1, Write = 2 }
            string message;
            try { throw new InvalidOperationException("boom"); }
            catch (InvalidOperationException ex) when (ex.Message == "boom") { message = ex.Message + ex.GetType().Name; }
            var flags = Access.Read | Access.Write;
            return message.StartsWith("boom") && flags.HasFlag(Access.Read) && Enum.Parse<Access>("Write") == Access.Write ? Allow() : Deny("exceptions");
            """ },
        { "types by name", """
            var name = "".GetType().Name + typeof(List<int>).FullName + nameof(System.IO.File);
            return name.Length > 0 && typeof(string) == "".GetType() ? Allow() : Deny("types");
            """ },
        { "iterators and classes", """
            IEnumerable<int> Numbers() { yield return 1; yield return 2; }
            sealed class Counter { private int _count; public int Next() => ++_count; public override string ToString() => _count.ToString(); }
            var counter = new Counter();
            counter.Next();
            return Numbers().Sum() == 3 && counter.Next() == 2 ? Allow() : Deny("iterators");
            """ },
    };

    [Theory]
    [MemberData(nameof(AllowedSnippets))]
    public void Compile_AllowedSnippet_Passes(string name, string code)
    {
        AssertAllowed(code, name + ".csx");
        var policy = TestPolicies.Single(InlinePolicy(code));
        var decision = TestPolicies.Decide(policy, Pod);
        Assert.True(decision.Allowed, name + ": " + decision.Message);
    }

    [Fact]
    public void CacheKey_AllowListVersionChanges_KeyChanges()
    {
        const string code = "return Allow();";

        Assert.Equal(PolicyCompiler.CacheKey(code), PolicyCompiler.CacheKey(code, ApiAllowList.Version));
        Assert.NotEqual(PolicyCompiler.CacheKey(code, ApiAllowList.Version), PolicyCompiler.CacheKey(code, ApiAllowList.Version + "-next"));
    }

    private static void AssertAllowed(string code, string origin)
    {
        var result = new PolicyCompiler().Compile(new ScriptSource(code, origin));
        if (result is PolicyCompilation.Failed failed)
        {
            Assert.Fail(origin + " was refused:\n" + string.Join("\n", failed.Diagnostics));
        }
    }

    private static readonly System.Text.Json.Nodes.JsonObject Pod = Workloads.Wrap("Pod", """{"containers":[{"name":"c","image":"nginx"}]}""");

    internal static string InlinePolicy(string script) => $$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: inline
        spec:
          rules:
          - apiGroups: ["*"]
            apiVersions: ["*"]
            resources: ["*"]
            operations: ["*"]
          script: |
        {{string.Join("\n", script.Split('\n').Select(l => "    " + l))}}
        """;
}
