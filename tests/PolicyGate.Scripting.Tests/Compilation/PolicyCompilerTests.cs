using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Tests.Compilation;

public sealed class PolicyCompilerTests : IDisposable
{
    private readonly string _cacheDir = Path.Combine(Path.GetTempPath(), "policygate-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cacheDir))
        {
            Directory.Delete(_cacheDir, recursive: true);
        }
    }

    [Fact]
    public void Compile_SyntaxError_NamesFileLineAndColumn()
    {
        var compiler = new PolicyCompiler();

        var result = compiler.Compile(new ScriptSource("var x = 1;\nif (x > 0 {\n  return Allow();\n}\n", "policies/broken.csx"));

        var failed = Assert.IsType<PolicyCompilation.Failed>(result);
        var diagnostic = failed.Diagnostics[0];
        Assert.Equal("policies/broken.csx", diagnostic.File);
        Assert.Equal(2, diagnostic.Line);
        Assert.Equal(11, diagnostic.Column);
        Assert.StartsWith("CS", diagnostic.Id, StringComparison.Ordinal);
        Assert.Contains("policies/broken.csx(2,11): error CS", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownMember_ReportsTheSemanticError()
    {
        var result = new PolicyCompiler().Compile(new ScriptSource("return Allw();", "x.csx"));

        var failed = Assert.IsType<PolicyCompilation.Failed>(result);
        Assert.Contains(failed.Diagnostics, d => d.Id == "CS0103" && d.Message.Contains("Allw", StringComparison.Ordinal));
    }

    [Fact]
    public void Compile_DisposeOfTheContext_IsNotInScope()
    {
        // Disposing its own context would cancel the budget's timer from inside the evaluation.
        var result = new PolicyCompiler().Compile(new ScriptSource("Dispose();\nreturn Allow();", "x.csx"));

        var failed = Assert.IsType<PolicyCompilation.Failed>(result);
        Assert.Contains(failed.Diagnostics, d => d.Id == "CS0103" && d.Message.Contains("Dispose", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("#r \"System.Net.Http\"\nreturn Allow();", "PG0001")]
    [InlineData("#load \"other.csx\"\nreturn Allow();", "PG0002")]
    public void Compile_ReferenceAndLoadDirectives_AreRefused(string code, string id)
    {
        var failed = Assert.IsType<PolicyCompilation.Failed>(new PolicyCompiler().Compile(new ScriptSource(code, "x.csx")));

        var diagnostic = Assert.Single(failed.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(1, diagnostic.Line);
    }

    [Theory]
    [InlineData("#load \"policygate.globals.csx\" // editor help only\nreturn Nope();")]
    [InlineData("#load \".editor/policygate.globals.csx\"\r\nreturn Nope();")]
    public void Compile_TheEditorGlobalsLoad_IsIgnoredAndLinesStayWhereTheAuthorSeesThem(string code)
    {
        var failed = Assert.IsType<PolicyCompilation.Failed>(new PolicyCompiler().Compile(new ScriptSource(code, "x.csx")));

        var diagnostic = Assert.Single(failed.Diagnostics);
        Assert.Equal("CS0103", diagnostic.Id); // not PG0002: the #load of the editor's globals is dropped
        Assert.Equal((2, 8), (diagnostic.Line, diagnostic.Column));
    }

    [Theory]
    [InlineData("#load \"policygate.globals.csx.evil\"\nreturn Allow();")]
    [InlineData("#load \"policygate.globals.csx\" return Allow();")]
    [InlineData("  var x = 1; #load \"policygate.globals.csx\"\nreturn Allow();")]
    public void Compile_OtherLoadsNamingTheGlobals_AreStillRefusedOrBroken(string code)
    {
        Assert.IsType<PolicyCompilation.Failed>(new PolicyCompiler().Compile(new ScriptSource(code, "x.csx")));
    }

    [Fact]
    public void Compile_SameSourceTwice_CompilesOnceAndSharesTheProgram()
    {
        var compiler = new PolicyCompiler();
        const string code = "return Allow();";

        var first = Assert.IsType<PolicyCompilation.Succeeded>(compiler.Compile(new ScriptSource(code, "a.csx")));
        var second = Assert.IsType<PolicyCompilation.Succeeded>(compiler.Compile(new ScriptSource(code, "b.csx")));

        Assert.Same(first.Program, second.Program);
        Assert.Equal(1, compiler.CompilationCount);
    }

    [Fact]
    public void Compile_WithDiskCache_SecondProcessLoadsInsteadOfCompiling()
    {
        const string code = "return Deny(\"cached\");";
        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource(code, "a.csx")));

        var restarted = new PolicyCompiler(_cacheDir);
        Assert.IsType<PolicyCompilation.Succeeded>(restarted.Compile(new ScriptSource(code, "a.csx")));

        Assert.Equal(0, restarted.CompilationCount);
    }

    [Fact]
    public void Compile_CorruptCacheEntry_IsRecompiledNotTrusted()
    {
        const string code = "return Deny(\"cached\");";
        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource(code, "a.csx")));
        var dll = Directory.GetFiles(_cacheDir, "*.dll").Single();
        var bytes = File.ReadAllBytes(dll);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(dll, bytes);

        var restarted = new PolicyCompiler(_cacheDir);
        var result = restarted.Compile(new ScriptSource(code, "a.csx"));

        Assert.IsType<PolicyCompilation.Succeeded>(result);
        Assert.Equal(1, restarted.CompilationCount);
    }

    [Fact]
    public void Compile_CacheEntryRenamedToAnotherKey_IsNotUsed()
    {
        // An entry written for another source (or another engine build, which changes the key) and moved under this
        // key's name passes a content-only checksum; the checksum covers the key, so it is refused and recompiled.
        const string planted = "return Allow();";
        const string wanted = "return Deny(\"wanted\");";
        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource(planted, "a.csx")));
        var plantedKey = PolicyCompiler.CacheKey(planted);
        var wantedKey = PolicyCompiler.CacheKey(wanted);
        foreach (var extension in new[] { ".dll", ".pdb", ".sha256" })
        {
            File.Move(Path.Combine(_cacheDir, plantedKey + extension), Path.Combine(_cacheDir, wantedKey + extension));
        }

        var restarted = new PolicyCompiler(_cacheDir);
        var program = Assert.IsType<PolicyCompilation.Succeeded>(restarted.Compile(new ScriptSource(wanted, "b.csx"))).Program;

        Assert.Equal(1, restarted.CompilationCount);
        var decision = PolicyGate.Core.Evaluation.PolicyEvaluator.Decide(
            new PolicyGate.Core.Evaluation.CompiledPolicy(TestSupport.TestPolicies.Builtin("run-as-non-root").Resource, program, null),
            PolicyGate.Core.Manifests.AdmissionRequestFactory.Create(TestSupport.Workloads.Wrap("Pod", """{"containers":[{"name":"a","image":"a"}]}"""), "test"));
        Assert.Equal("wanted", decision.Message);
    }

    [Fact]
    public void Compile_CacheEntryTruncated_IsRecompiled()
    {
        const string code = "return Deny(\"cached\");";
        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource(code, "a.csx")));
        var pdb = Directory.GetFiles(_cacheDir, "*.pdb").Single();
        File.WriteAllBytes(pdb, File.ReadAllBytes(pdb)[..10]);

        var restarted = new PolicyCompiler(_cacheDir);
        Assert.IsType<PolicyCompilation.Succeeded>(restarted.Compile(new ScriptSource(code, "a.csx")));

        Assert.Equal(1, restarted.CompilationCount);

        // The recompiled entry replaced the damaged one.
        var third = new PolicyCompiler(_cacheDir);
        Assert.IsType<PolicyCompilation.Succeeded>(third.Compile(new ScriptSource(code, "a.csx")));
        Assert.Equal(0, third.CompilationCount);
    }

    [Fact]
    public void Compile_NewCacheDirectory_IsPrivateToTheOwner()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource("return Allow();", "a.csx")));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_cacheDir));
        foreach (var file in Directory.GetFiles(_cacheDir))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Compile_CacheDirectoryWritableByOthers_IsNotUsed()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const string code = "return Deny(\"shared\");";
        Assert.IsType<PolicyCompilation.Succeeded>(new PolicyCompiler(_cacheDir).Compile(new ScriptSource(code, "a.csx")));
        File.SetUnixFileMode(_cacheDir, File.GetUnixFileMode(_cacheDir) | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.GroupRead);

        var restarted = new PolicyCompiler(_cacheDir);
        Assert.IsType<PolicyCompilation.Succeeded>(restarted.Compile(new ScriptSource(code, "a.csx")));

        Assert.Equal(1, restarted.CompilationCount); // the entry there was not trusted
        Assert.Contains("writable by other users (0770)", restarted.CacheProblem, StringComparison.Ordinal);
        Assert.Null(new PolicyCompiler(_cacheDir + "-fresh").CacheProblem);
        Directory.Delete(_cacheDir + "-fresh");
    }

    [Fact]
    public void CacheKey_DependsOnSource()
    {
        Assert.Equal(PolicyCompiler.CacheKey("return Allow();"), PolicyCompiler.CacheKey("return Allow();"));
        Assert.NotEqual(PolicyCompiler.CacheKey("return Allow();"), PolicyCompiler.CacheKey("return Allow(); "));
    }
}
