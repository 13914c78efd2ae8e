using System.Text;
using System.Text.RegularExpressions;

namespace PolicyGate.Fuzz.Tests.Fuzzing;

/// <summary>
/// Mutators that edit the text: tokens YAML gives meaning to, duplicate keys, anchors, aliases and merge keys (alias
/// bombs included), tabs, line ends, empty documents and <c>---</c> runs, deep block nesting, cut and copied ranges.
/// </summary>
internal static partial class TextMutators
{
    private static readonly string[] Tokens =
    [
        "{", "[", "}", "]", ":", ": ", "-", "- ", "&a ", "*a", "<<: *a", "\t", "\0", "\"", "'", "? ", "!", "!!binary ",
        "%YAML 1.1\n", "|", ">", "#", "@", "`", ",", "\n", "\r", "...\n", "---\n", "\\u0000", "\u2028", "\uFEFF", "\u0085",
        "\uD800", "&a *a", "!<tag:x>", "{a: 1, a: 2}", "[*a]",
    ];

    public static IReadOnlyList<Mutator> All { get; } =
    [
        new("insert-token", MutationStage.Text, InsertToken),
        new("duplicate-key", MutationStage.Text, DuplicateKey),
        new("anchors-aliases", MutationStage.Text, AnchorsAndAliases),
        new("merge-key", MutationStage.Text, MergeKey),
        new("alias-bomb", MutationStage.Text, AliasBomb, Heavy: true),
        new("tabs", MutationStage.Text, Tabs),
        new("line-ends", MutationStage.Text, LineEnds),
        new("empty-documents", MutationStage.Text, EmptyDocuments),
        new("deep-block", MutationStage.Text, DeepBlock, Heavy: true),
        new("cut-or-copy-range", MutationStage.Text, CutOrCopyRange),
    ];

    private static Mutated? InsertToken(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text =>
    {
        var count = random.Next(1, 5);
        var done = new List<string>();
        var builder = new StringBuilder(text);
        for (var i = 0; i < count; i++)
        {
            var token = Tokens[random.Next(Tokens.Length)];
            var at = random.Next(3) == 0 ? LineStart(random, builder.ToString()) : random.Next(builder.Length + 1);
            builder.Insert(at, token);
            done.Add($"{Escape(token)}@{at}");
        }

        return (builder.ToString(), string.Join(", ", done));
    });

    private static Mutated? DuplicateKey(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text =>
    {
        if (format == InputFormat.Json)
        {
            var matches = JsonFirstKey().Matches(text);
            if (matches.Count == 0)
            {
                return null;
            }

            var match = matches[random.Next(matches.Count)];
            string[] values = ["1", "\"dup\"", "null", "{}", "[]"];
            var insert = $"\"{match.Groups[1].Value}\": {values[random.Next(values.Length)]}, ";
            return (text.Insert(match.Index + 1, insert), $"\"{match.Groups[1].Value}\" repeated at offset {match.Index}");
        }

        var lines = text.Split('\n');
        var keyed = Enumerable.Range(0, lines.Length).Where(i => Matches(YamlKeyLine(), lines[i])).ToList();
        if (keyed.Count == 0)
        {
            return null;
        }

        var index = keyed[random.Next(keyed.Count)];
        var key = YamlKeyLine().Match(lines[index]);
        var indent = key.Groups[1].Value.Replace('-', ' ');
        var copy = random.Next(2) == 0 ? $"{indent}{key.Groups[2].Value}: duplicate" : indent + lines[index][key.Groups[1].Length..];
        var list = lines.ToList();
        list.Insert(index + 1, copy.TrimEnd('\r'));
        return (string.Join('\n', list), $"key \"{key.Groups[2].Value}\" of line {index + 1} repeated");
    });

    private static Mutated? AnchorsAndAliases(Random random, byte[] bytes, InputFormat format) => YamlOnly(format, bytes, text =>
    {
        var lines = text.Split('\n');
        var valued = Enumerable.Range(0, lines.Length).Where(i => Matches(YamlKeyValueLine(), lines[i])).ToList();
        if (valued.Count == 0)
        {
            return null;
        }

        var anchorLine = valued[random.Next(valued.Count)];
        var aliasLine = valued[random.Next(valued.Count)];
        var variant = random.Next(5);
        string[] anchors = ["a", "a", "b", "\u00e9", "x y"];
        var anchor = anchors[random.Next(anchors.Length)];
        var a = YamlKeyValueLine().Match(lines[anchorLine]);
        if (variant != 4)
        {
            lines[anchorLine] = $"{a.Groups[1].Value}{a.Groups[2].Value}: &{anchor} {a.Groups[3].Value}";
        }

        var b = YamlKeyValueLine().Match(lines[aliasLine]);
        lines[aliasLine] = variant switch
        {
            0 or 4 => $"{b.Groups[1].Value}{b.Groups[2].Value}: *{anchor}",
            1 => $"{b.Groups[1].Value}*{anchor} : {b.Groups[3].Value}", // an alias as a key
            2 => $"{b.Groups[1].Value}{b.Groups[2].Value}: &{anchor} *{anchor}", // redefined in terms of itself
            _ => $"{b.Groups[1].Value}{b.Groups[2].Value}: [*{anchor}, *{anchor}, *{anchor}]",
        };
        return (string.Join('\n', lines), $"&{anchor} on line {anchorLine + 1}{(variant == 4 ? " (never defined)" : "")}, alias on line {aliasLine + 1} (variant {variant})");
    });

    private static Mutated? MergeKey(Random random, byte[] bytes, InputFormat format) => YamlOnly(format, bytes, text =>
    {
        var lines = text.Split('\n').ToList();
        var parents = Enumerable.Range(0, lines.Count).Where(i => Matches(YamlParentLine(), lines[i])).ToList();
        var keyed = Enumerable.Range(0, lines.Count).Where(i => Matches(YamlKeyLine(), lines[i])).ToList();
        if (keyed.Count == 0)
        {
            return null;
        }

        var detail = new StringBuilder();
        if (parents.Count > 0 && random.Next(4) != 0)
        {
            var parent = parents[random.Next(parents.Count)];
            lines[parent] = lines[parent].TrimEnd('\r', ' ') + " &m";
            detail.Append($"&m on line {parent + 1}; ");
        }

        string[] merges =
        [
            "<<: *m", "<<: [*m, *m]", "<<: *undefined", "<<: 5", "<<: {apiVersion: x, kind: Pod}", "<<: [1, 2]",
            "<<: &m {a: 1}", "<<: null", "<<:", "<<: *m\n<<: *m",
        ];
        var merge = merges[random.Next(merges.Length)];
        var at = keyed[random.Next(keyed.Count)];
        var indent = YamlKeyLine().Match(lines[at]).Groups[1].Value.Replace('-', ' ');
        lines.Insert(at, string.Join('\n', merge.Split('\n').Select(l => indent + l)));
        detail.Append($"{Escape(merge)} before line {at + 1}");
        return (string.Join('\n', lines), detail.ToString());
    });

    /// <summary>The "billion laughs": each level lists the one before it <c>width</c> times.</summary>
    private static Mutated? AliasBomb(Random random, byte[] bytes, InputFormat format) => YamlOnly(format, bytes, text =>
    {
        var levels = random.Next(3, 11);
        var width = random.Next(2, 10);
        var bomb = new StringBuilder();
        var flow = random.Next(2) == 0;
        for (var level = 0; level < levels; level++)
        {
            var items = level == 0
                ? Enumerable.Repeat("lol", width)
                : Enumerable.Repeat($"*l{level - 1}", width);
            bomb.Append(flow ? $"l{level}: &l{level} [{string.Join(", ", items)}]\n" : $"l{level}: &l{level}\n{string.Concat(items.Select(i => $"- {i}\n"))}");
        }

        var lines = text.Split('\n').ToList();
        var topLevel = Enumerable.Range(0, lines.Count).Where(i => Matches(TopLevelKeyLine(), lines[i])).ToList();
        if (topLevel.Count > 0 && random.Next(3) != 0)
        {
            var at = topLevel[random.Next(topLevel.Count)];
            lines.Insert(at, bomb.ToString().TrimEnd('\n'));
            return (string.Join('\n', lines), $"{levels} levels x {width} inserted before line {at + 1} ({(flow ? "flow" : "block")})");
        }

        return (text + "\n---\n" + bomb, $"{levels} levels x {width} as a document of its own ({(flow ? "flow" : "block")})");
    });

    private static Mutated? Tabs(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text =>
    {
        var lines = text.Split('\n');
        var indented = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith(' ')).ToList();
        if (indented.Count == 0)
        {
            return (text.Replace(": ", ":\t", StringComparison.Ordinal), "tab after every ':'");
        }

        var count = Math.Min(indented.Count, random.Next(1, 4));
        var changed = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var line = indented[random.Next(indented.Count)];
            var spaces = lines[line].Length - lines[line].TrimStart(' ').Length;
            lines[line] = new string('\t', random.Next(2) == 0 ? 1 : (spaces + 1) / 2) + lines[line][spaces..];
            changed.Add(line + 1);
        }

        return (string.Join('\n', lines), "indentation as tabs on line(s) " + string.Join(", ", changed));
    });

    private static Mutated? LineEnds(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text => random.Next(3) switch
    {
        0 => (text.Replace("\n", "\r\n", StringComparison.Ordinal), "CRLF"),
        1 => (text.Replace("\n", "\r", StringComparison.Ordinal), "CR only"),
        _ => (string.Concat(text.Split('\n').Select((l, i) => l + (i % 2 == 0 ? "\r\n" : "\n"))), "CRLF and LF mixed"),
    });

    private static Mutated? EmptyDocuments(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text =>
    {
        string[] whole = ["", "\n", "   \n\t\n", "---", "---\n---\n", "...", "...\n---\n...\n", "# a comment\n", "--- |\n", "null", "~", "[]", "{}", "--- !!null\n"];
        switch (random.Next(4))
        {
            case 0:
                var replacement = whole[random.Next(whole.Length)];
                return (replacement, $"whole input replaced by {Escape(replacement)}");
            case 1:
                var run = random.Next(1, 60);
                var marker = random.Next(3) switch { 0 => "---\n", 1 => "...\n", _ => "---\n...\n" };
                return (string.Concat(Enumerable.Repeat(marker, run)) + text, $"{run} x {Escape(marker)} before");
            case 2:
                var after = random.Next(1, 60);
                return (text + "\n" + string.Concat(Enumerable.Repeat("---\n", after)), $"{after} x --- after");
            default:
                var at = LineStart(random, text);
                var inside = random.Next(1, 20);
                return (text.Insert(at, string.Concat(Enumerable.Repeat("---\n", inside))), $"{inside} x --- at offset {at}");
        }
    });

    private static Mutated? DeepBlock(Random random, byte[] bytes, InputFormat format) => YamlOnly(format, bytes, text =>
    {
        var deep = new StringBuilder();
        string detail;
        if (random.Next(2) == 0)
        {
            // Block sequences nest on one line: "- - - - x".
            int[] depths = [257, 10_000, 100_000];
            var depth = depths[random.Next(depths.Length)];
            deep.Insert(0, "- ", depth).Append("x\n");
            detail = $"{depth:N0} nested block sequences on one line";
        }
        else
        {
            // Block mappings need one more indentation per level: the text grows with the square of the depth.
            int[] depths = [257, 600, 2_000];
            var depth = depths[random.Next(depths.Length)];
            for (var i = 0; i < depth; i++)
            {
                deep.Append(' ', i).Append("a:\n");
            }

            deep.Append(' ', depth).Append("x\n");
            detail = $"{depth:N0} nested block mappings";
        }

        return random.Next(2) == 0
            ? (text + "\n---\n" + deep, detail + " as a document after")
            : ("---\n" + deep + "---\n" + text, detail + " as a document before");
    });

    private static Mutated? CutOrCopyRange(Random random, byte[] bytes, InputFormat format) => EditText(bytes, text =>
    {
        if (text.Length < 2)
        {
            return null;
        }

        var start = random.Next(text.Length);
        var length = random.Next(1, Math.Min(text.Length - start, 200) + 1);
        return random.Next(2) == 0
            ? (text.Remove(start, length), $"{length} characters cut at {start}")
            : (text.Insert(random.Next(text.Length + 1), text.Substring(start, length)), $"{length} characters from {start} copied");
    });

    private static int LineStart(Random random, string text)
    {
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts[random.Next(starts.Count)];
    }

    /// <summary>Lines a mutator may edit: very long ones (a huge scalar) are left alone, which also keeps the regexes fast.</summary>
    private static bool Matches(Regex regex, string line) => line.Length <= 4096 && regex.IsMatch(line);

    private static string Escape(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static Mutated? YamlOnly(InputFormat format, byte[] bytes, Func<string, (string Text, string Detail)?> edit) =>
        format == InputFormat.Yaml ? EditText(bytes, edit) : null;

    private static Mutated? EditText(byte[] bytes, Func<string, (string Text, string Detail)?> edit)
    {
        var result = edit(Encoding.UTF8.GetString(bytes));
        return result is { } r ? new Mutated(Encoding.UTF8.GetBytes(r.Text), r.Detail) : null;
    }

    /// <summary>A block mapping key line: indentation (with any "- "), the key, and the rest.</summary>
    [GeneratedRegex(@"^((?:\s|-\s)*)([A-Za-z_][\w./-]*):(?:\s|$)")]
    private static partial Regex YamlKeyLine();

    /// <summary>A key with a plain scalar value on the same line.</summary>
    [GeneratedRegex(@"^((?:\s|-\s)*)([A-Za-z_][\w./-]*): +([^\s&*#\[{|>][^\r#]*?)\s*\r?$")]
    private static partial Regex YamlKeyValueLine();

    /// <summary>A key whose value is the block below it.</summary>
    [GeneratedRegex(@"^((?:\s|-\s)*)([A-Za-z_][\w./-]*):\s*\r?$")]
    private static partial Regex YamlParentLine();

    [GeneratedRegex(@"^[A-Za-z_][\w./-]*:")]
    private static partial Regex TopLevelKeyLine();

    [GeneratedRegex("""\{\s*"([^"\\]+)"\s*:""")]
    private static partial Regex JsonFirstKey();
}
