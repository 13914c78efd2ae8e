using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json.Nodes;
using PolicyGate.Core.Evaluation;
using PolicyGate.Core.Manifests;
using PolicyGate.Scripting.Compilation;
using PolicyGate.Scripting.Loading;
using PolicyGate.Scripting.Runtime;
using PolicyGate.Scripting.Tests.TestSupport;

namespace PolicyGate.Scripting.Tests.Runtime;

/// <summary>
/// A replaced policy's code must leave the process: once its program is retired and no evaluation runs it, its
/// collectible load context is unloaded and collected. Each test uses its own compiler, so retiring never touches
/// programs other tests share.
/// </summary>
public class UnloadTests
{
    private static readonly TimeSpan CollectDeadline = TimeSpan.FromSeconds(10);

    private static readonly JsonObject Pod = Workloads.Wrap("Pod", """{"containers":[{"name":"app","image":"nginx"}]}""", """{"app":"web"}""");

    /// <summary>
    /// A script that uses every path that could leave its types in a process-wide cache: bound settings, its own type
    /// read with ObjectAs and OldObjectAs, a model type it derives and copies, the serializer called directly on its
    /// own types, a mutation written from its own type, and (with team "fail") an exception of its own type.
    /// </summary>
    private static string BusyPolicy(string marker, string team = "shop") => $$"""
        apiVersion: policygate.io/v1
        kind: ClusterAdmissionPolicy
        metadata:
          name: busy
        spec:
          mutating: true
          rules:
          - apiGroups: ["*"]
            apiVersions: ["*"]
            resources: ["*"]
            operations: ["*"]
          settings: {team: {{team}}, limits: [1, 2]}
          script: |
            public sealed class Settings { public string Team { get; set; } = ""; public List<int> Limits { get; set; } = new(); }
            public sealed record Meta(string Name, Dictionary<string, string>? Labels);
            public sealed record Shape(string Kind, Meta Metadata);
            public sealed class MyContainer : V1Container { public string Note { get; set; } = "{{marker}}"; }
            var settings = GetSettings<Settings>();
            var shape = ObjectAs<Shape>()!;
            var old = OldObjectAs<Shape>();
            public sealed class ShapeException(string message) : Exception(message);
            var copy = Copy(new MyContainer { Name = "c" })!;
            var text = JsonSerializer.Serialize(shape) + KubernetesJson.SerializeToNode(copy)!.ToJsonString();
            if (settings.Team == "fail") { throw new ShapeException("{{marker}}: " + text.Length); }
            if (shape.Metadata.Labels?.ContainsKey("app") != true || copy.Name != "c")
            {
                return Deny("{{marker}}: unexpected shape");
            }
            Warn($"{{marker}}: {shape.Kind} {shape.Metadata.Name} for {settings.Team}");
            return Mutate(new Shape(shape.Kind, shape.Metadata with { Labels = new() { ["team"] = settings.Team } }));
        """;

    [Fact]
    public void RetainOnly_RetiredProgramAfterUse_LoadContextIsCollected()
    {
        var compiler = new PolicyCompiler();

        var context = LoadEvaluateAndRetire(compiler, BusyPolicy("first"));

        Assert.True(WaitUntilCollected(context), "the retired program's load context was still alive after repeated full collections");
        Assert.Equal(0, compiler.CachedProgramCount);
    }

    [Fact]
    public void RetainOnly_RetiredProgramThatReadKubernetesClientModels_LoadContextIsCollected()
    {
        var compiler = new PolicyCompiler();
        const string yaml = """
            apiVersion: policygate.io/v1
            kind: ClusterAdmissionPolicy
            metadata:
              name: k8s-models
            spec:
              mutating: true
              rules:
              - apiGroups: ["*"]
                apiVersions: ["*"]
                resources: ["*"]
                operations: ["*"]
              script: |
                using k8s.Models;
                public sealed class Shape { public V1ObjectMeta? Metadata { get; set; } }
                var pod = ObjectAs<V1Pod>()!;
                var old = OldObjectAs<V1Pod>();
                var shape = ObjectAs<Shape>()!;
                pod.Metadata.Labels["team"] = shape.Metadata!.Name + (old is null ? "" : "-old");
                return Mutate(pod);
            """;

        var context = LoadEvaluateAndRetire(compiler, yaml);

        Assert.True(WaitUntilCollected(context), "reading KubernetesClient's models kept the retired program's load context alive");
    }

    [Fact]
    public void RetainOnly_ScriptThrewAndItsExceptionWasReported_LoadContextIsCollected()
    {
        var compiler = new PolicyCompiler();

        var context = LoadEvaluateAndRetire(compiler, BusyPolicy("boom", team: "fail"), expectFailure: true);

        Assert.True(WaitUntilCollected(context), "a failed evaluation kept the retired program's load context alive");
    }

    [Fact]
    public void SerializerCaches_ThisRuntime_HasTheHooksUnloadingRelieson() =>
        Assert.True(SerializerCaches.Available, "System.Text.Json no longer has the internal cache-clearing methods: retired scripts that used the serializer will stay loaded");

    [Fact]
    public void Retire_WhileAnEvaluationHoldsALease_UnloadsOnlyWhenTheLeaseEnds()
    {
        var compiler = new PolicyCompiler();
        var own = Assert.Single(new PolicyLoader(compiler).LoadText(BusyPolicy("leased"), "leased.yaml", null).Policies);
        var program = Assert.IsType<ScriptProgram>(own.Program);
        var unloading = 0;
        program.LoadContext.Unloading += _ => Interlocked.Increment(ref unloading);

        // An evaluation that took the old snapshot is still running when the new one is published.
        program.AcquireLease();
        Assert.Equal(1, compiler.RetainOnly([]));

        Assert.True(program.IsRetired);
        Assert.False(program.IsUnloadStarted);
        Assert.Equal(0, Volatile.Read(ref unloading));

        // Another evaluation that still holds the old snapshot starts after the retirement: it runs normally.
        var late = PolicyEvaluator.Decide(own, AdmissionRequestFactory.Create(Pod, "test"));
        Assert.Equal(DecisionOutcome.Mutated, late.Outcome);
        Assert.Contains(late.Warnings, w => w.StartsWith("leased: Pod pod-1 for shop", StringComparison.Ordinal));
        Assert.False(program.IsUnloadStarted);

        program.ReleaseLease();

        Assert.True(program.IsUnloadStarted);
        Assert.Equal(1, Volatile.Read(ref unloading));
        Assert.Equal(0, program.Leases);
    }

    [Fact]
    public void RetainOnly_ProgramStillPublished_IsKeptAndShared()
    {
        var compiler = new PolicyCompiler();
        var kept = Compile(compiler, "return Allow();");
        var dropped = Compile(compiler, "return Deny(\"old\");");

        Assert.Equal(1, compiler.RetainOnly([kept]));

        Assert.False(kept.IsRetired);
        Assert.True(dropped.IsRetired);
        Assert.True(dropped.IsUnloadStarted);
        Assert.Same(kept, Compile(compiler, "return Allow();"));

        // The retired source is no longer cached in memory: compiling it again makes a new program.
        var again = Compile(compiler, "return Deny(\"old\");");
        Assert.NotSame(dropped, again);
        Assert.False(again.IsRetired);
        Assert.Equal(3, compiler.CompilationCount);
    }

    [Fact]
    public void RetainOnly_CalledTwice_UnloadsOnce()
    {
        var compiler = new PolicyCompiler();
        var program = Compile(compiler, "return Deny(\"twice\");");
        var unloading = 0;
        program.LoadContext.Unloading += _ => Interlocked.Increment(ref unloading);

        compiler.RetainOnly([]);
        compiler.RetainOnly([]);
        program.AcquireLease();
        program.ReleaseLease();

        Assert.Equal(1, Volatile.Read(ref unloading));
    }

    [Fact]
    public void Leases_ReleasedOnManyThreadsWhileRetiring_UnloadStartsOnceAfterTheLast()
    {
        var unloads = 0;
        var leasesAtUnload = -1;
        ProgramLifetime? lifetime = null;
        lifetime = new ProgramLifetime(() =>
        {
            Interlocked.Increment(ref unloads);
            leasesAtUnload = lifetime!.Leases;
        });
        const int Threads = 4;
        const int PerThread = 50_000;
        lifetime.Acquire(); // held by the test until every worker has finished
        using var start = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < PerThread; i++)
            {
                lifetime.Acquire();
                lifetime.Release();
            }
        })).ToArray();
        foreach (var worker in workers)
        {
            worker.Start();
        }

        start.SignalAndWait();
        lifetime.Retire();
        foreach (var worker in workers)
        {
            worker.Join();
        }

        Assert.Equal(0, Volatile.Read(ref unloads));
        lifetime.Release();
        Assert.Equal(1, Volatile.Read(ref unloads));
        Assert.Equal(0, leasesAtUnload);
    }

    private static ScriptProgram Compile(PolicyCompiler compiler, string code) =>
        Assert.IsType<PolicyCompilation.Succeeded>(compiler.Compile(new ScriptSource(code, "unload-test.csx"))).Program;

    /// <summary>
    /// Loads, evaluates (CREATE and UPDATE) and retires the policy, returning only a weak reference to its load
    /// context. Kept out of line so that no local of this frame keeps the program alive.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference LoadEvaluateAndRetire(PolicyCompiler compiler, string yaml, bool expectFailure = false)
    {
        var loaded = new PolicyLoader(compiler).LoadText(yaml, "unload.yaml", null);
        Assert.Empty(loaded.Errors);
        var policy = Assert.Single(loaded.Policies);
        var program = Assert.IsType<ScriptProgram>(policy.Program);
        foreach (var operation in new[] { "CREATE", "UPDATE" })
        {
            var request = AdmissionRequestFactory.Create(Pod, "test", operation);
            var decision = PolicyEvaluator.Decide(policy, request);
            Assert.Equal(expectFailure ? DecisionOutcome.Failed : DecisionOutcome.Mutated, decision.Outcome);
            if (expectFailure)
            {
                Assert.Contains("ShapeException at line", decision.Message, StringComparison.Ordinal);
            }
        }

        var context = new WeakReference(program.LoadContext);
        Assert.Contains(AssemblyLoadContext.All, c => ReferenceEquals(c, context.Target));

        // The next snapshot does not use the program: the compiler retires it, nothing runs it, so it unloads now.
        Assert.Equal(1, compiler.RetainOnly([]));
        Assert.True(program.IsUnloadStarted);
        return context;
    }

    private static bool WaitUntilCollected(WeakReference reference)
    {
        var deadline = DateTime.UtcNow + CollectDeadline;
        while (reference.IsAlive && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return !reference.IsAlive;
    }
}
