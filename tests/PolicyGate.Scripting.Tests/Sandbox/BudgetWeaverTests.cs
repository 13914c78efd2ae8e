using Microsoft.CodeAnalysis;
using PolicyGate.Core.Evaluation;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Sandbox;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Sandbox;

public sealed class BudgetWeaverTests
{
    [Fact]
    public void Weave_Loops_BodyStartsWithACheckOnTheSameLines()
    {
        var woven = Weave("""
            var n = 0;
            while (n < 3) n++;
            for (;;) ;
            do { n--; } while (n > 0);
            foreach (var c in "ab")
            {
                n++;
            }
            """);

        Assert.Equal("""
            B.Enter();var n = 0;
            while (n < 3) {B.Loop();n++;}
            for (;;) {B.Loop();}
            do { B.Loop();n--; } while (n > 0);
            foreach (var c in "ab")
            {
                B.Loop();n++;
            }
            """, woven);
    }

    [Fact]
    public void Weave_Goto_CheckedBeforeEveryJump()
    {
        var woven = Weave("""
            var s = 1;
            again: s++;
            if (s < 5) goto again;
            switch (s) { case 5: goto default; default: break; }
            """);

        Assert.Contains("if (s < 5) {B.Loop();goto again;}", woven, StringComparison.Ordinal);
        Assert.Contains("case 5: {B.Loop();goto default;}", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_CatchClauses_CannotCatchTheStop()
    {
        var woven = Weave("""
            try { } catch { }
            try { } catch (InvalidOperationException) { }
            try { } catch (FormatException e) { }
            try { } catch (Exception e) when (e.Message == "x") { }
            """);

        Assert.Contains("catch (global::System.Exception __pgCaught1) when (B.CanCatch(__pgCaught1)) { }", woven, StringComparison.Ordinal);
        Assert.Contains("catch (InvalidOperationException __pgCaught2) when (B.CanCatch(__pgCaught2)) { }", woven, StringComparison.Ordinal);
        Assert.Contains("catch (FormatException e) when (B.CanCatch(e)) { }", woven, StringComparison.Ordinal);
        Assert.Contains("catch (Exception e) when (B.CanCatch(e) && (e.Message == \"x\")) { }", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_ExpressionBodies_BecomeBlocksThatReturnOnlyWhenTheyHaveAValue()
    {
        var woven = Weave("""
            int Twice(int x) => x * 2;
            void Log(string s) => s.ToString();
            int Fail() => throw new InvalidOperationException();
            Func<int, int> f = x => x + 1;
            Action a = () => Twice(1);
            class C
            {
                public int P => 1;
                public int Q { get => 2; set => _ = value; }
                public int this[int i] => i;
                public C() => P.ToString();
                public static C operator +(C a, C b) => a;
                public static implicit operator int(C c) => c.P;
            }
            """);

        Assert.Contains("int Twice(int x) { B.Enter();return x * 2;}", woven, StringComparison.Ordinal);
        Assert.Contains("void Log(string s) { B.Enter();s.ToString();}", woven, StringComparison.Ordinal);
        Assert.Contains("int Fail() { B.Enter();throw new InvalidOperationException();}", woven, StringComparison.Ordinal);
        Assert.Contains("x => {B.Enter();return x + 1;}", woven, StringComparison.Ordinal);
        Assert.Contains("() => {B.Enter();Twice(1);}", woven, StringComparison.Ordinal);
        Assert.Contains("public int P { get{B.Enter();return 1;}}", woven, StringComparison.Ordinal);
        Assert.Contains("get { B.Enter();return 2;} set { B.Enter();_ = value;}", woven, StringComparison.Ordinal);
        Assert.Contains("public int this[int i] { get{B.Enter();return i;}}", woven, StringComparison.Ordinal);
        Assert.Contains("public C() { B.Enter();P.ToString();}", woven, StringComparison.Ordinal);
        Assert.Contains("public static C operator +(C a, C b) { B.Enter();return a;}", woven, StringComparison.Ordinal);
        Assert.Contains("public static implicit operator int(C c) { B.Enter();return c.P;}", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_InitializersQueriesAndArrays_Probed()
    {
        var woven = Weave("""
            var q = from x in new[] { 1 } where x > 0 select x * 2;
            var big = new byte[q.Count()];
            var grid = new int[2, 3];
            var fixedSize = new int[2] { 1, 2 };
            class C
            {
                private readonly List<int> _items = new();
                public C Self { get; } = null!;
            }
            """);

        Assert.Contains("where B.Then(B.Probe(), x > 0) select B.Then(B.Probe(), x * 2)", woven, StringComparison.Ordinal);
        Assert.Contains("new byte[B.Length<byte>(q.Count())]", woven, StringComparison.Ordinal);
        Assert.Contains("B.NewArray<int>(2, 3)", woven, StringComparison.Ordinal);
        Assert.Contains("new int[2] { 1, 2 }", woven, StringComparison.Ordinal);
        Assert.Contains("_items = B.Then<List<int>>(B.Probe(), new())", woven, StringComparison.Ordinal);
        Assert.Contains("public C Self { get; } = B.Then<C>(B.Probe(), null!);", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_RecordClasses_GetACheckedEqualityContract()
    {
        var woven = Weave("""
            record R(int X);
            sealed record S(int Y) : R(Y) { }
            record struct P(int Z);
            """);

        Assert.Contains("record R(int X) { protected virtual global::System.Type EqualityContract { get { B.Enter(); return typeof(R); } }}", woven, StringComparison.Ordinal);
        Assert.Contains("protected override global::System.Type EqualityContract { get { B.Enter(); return typeof(S); } }}", woven, StringComparison.Ordinal);
        Assert.Contains("record struct P(int Z);", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_Regex_GetsAMatchTimeout()
    {
        var woven = Weave("""
            var a = Regex.IsMatch("x", "x+");
            var b = new Regex("y", RegexOptions.IgnoreCase);
            var c = new Regex("z", RegexOptions.None, Regex.InfiniteMatchTimeout);
            var d = Regex.Replace("a", "a", "b", RegexOptions.None, TimeSpan.FromMinutes(1));
            """);

        Assert.Contains("""Regex.IsMatch("x", "x+", options: global::System.Text.RegularExpressions.RegexOptions.None, matchTimeout: global::PolicyGate.Core.Sandbox.RegexTimeout.Default)""", woven, StringComparison.Ordinal);
        Assert.Contains("""new Regex("y", RegexOptions.IgnoreCase, matchTimeout: global::PolicyGate.Core.Sandbox.RegexTimeout.Default)""", woven, StringComparison.Ordinal);
        Assert.Contains("""new Regex("z", RegexOptions.None, global::PolicyGate.Core.Sandbox.RegexTimeout.Clamp(Regex.InfiniteMatchTimeout))""", woven, StringComparison.Ordinal);
        Assert.Contains("""RegexOptions.None, global::PolicyGate.Core.Sandbox.RegexTimeout.Clamp(TimeSpan.FromMinutes(1)))""", woven, StringComparison.Ordinal);
    }

    [Fact]
    public void Weave_EveryWovenScript_StillCompiles()
    {
        foreach (var path in Directory.EnumerateFiles(RepoPaths.Policies, "*.csx")
            .Concat(Directory.EnumerateFiles(SandboxFixtures.Folder("harmless"), "*.csx"))
            .Concat(Directory.EnumerateFiles(SandboxFixtures.Folder("runaway"), "*.csx")))
        {
            var (_, errors) = WeaveWithErrors(File.ReadAllText(path));
            Assert.True(errors.Count == 0, $"{Path.GetFileName(path)}:\n{string.Join("\n", errors)}");
        }
    }

    [Fact]
    public void Run_ExceptionOnLineAfterWovenCode_ReportedAtItsOwnLine()
    {
        var policy = TestPolicies.Single("""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: throws-on-line-9}
            spec:
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
              script: |
                int Twice(int x) => x * 2;
                var total = 0;
                for (var i = 0; i < 3; i++) { total += Twice(i); }
                try { total++; } catch { }
                Func<int, int> half = x => x / 2;
                var names = PodSpec()!.Containers.Select(c => c.Name).ToList();
                string? missing = null;
                var n = Enumerable.Range(0, total).Where(x => x > 1).Count();
                return missing!.Length + n > 0 ? Allow() : Deny("no");
            """);

        var verdict = PolicyEvaluator.Run(policy, SandboxFixtures.Pod());

        var failed = Assert.IsType<PolicyVerdict.Failed>(verdict);
        Assert.StartsWith("NullReferenceException at line 9:", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ExceptionInsideAWovenLambda_ReportedAtTheLambdasLine()
    {
        var policy = TestPolicies.Single("""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: throws-in-lambda}
            spec:
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
              script: |
                var values = new[] { 1, 0 };
                var quotients = values
                    .Select(v => 10 / v)
                    .ToList();
                return Allow();
            """);

        var failed = Assert.IsType<PolicyVerdict.Failed>(PolicyEvaluator.Run(policy, SandboxFixtures.Pod()));

        Assert.StartsWith("DivideByZeroException at line 3:", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_Finalizer_RefusedNamingItsLine_BeforeWeaving()
    {
        var result = TestPolicies.Load("""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: finalizer}
            spec:
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
              script: |
                return Allow();
                class Leaky
                {
                    ~Leaky() { while (true) { } }
                }
            """);

        // The allow-list refuses it (PG1015) before anything is woven: a finalizer cannot be made stoppable.
        var error = Assert.Single(result.Errors).ToString();
        Assert.Contains("(4,6): error PG1015: '~Leaky()'", error, StringComparison.Ordinal);
        Assert.Contains("finalizer", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_ErrorInWovenCode_ReportedAtTheColumnAsWritten()
    {
        var result = TestPolicies.Load("""
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata: {name: compile-error}
            spec:
              rules: [{apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], operations: ["*"]}]
              script: |
                for (var i = 0; i < 2; i++)
                {
                    undefinedName++;
                }
                return Allow();
            """);

        Assert.Contains("(3,5): error CS0103", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }

    /// <summary>The woven script, with the budget's long name shortened to <c>B.</c> for reading.</summary>
    private static string Weave(string code)
    {
        var (text, errors) = WeaveWithErrors(code);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return text.Replace("global::PolicyGate.Core.Sandbox.ScriptBudget.", "B.", StringComparison.Ordinal);
    }

    private static (string Text, IReadOnlyList<string> Errors) WeaveWithErrors(string code)
    {
        var compilation = PolicyCompiler.CreateCompilation(new ScriptSource(code, "test.csx"));
        var woven = BudgetWeaver.Weave(compilation);
        var errors = woven.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        return (woven.SyntaxTrees.Single().ToString(), errors);
    }
}
