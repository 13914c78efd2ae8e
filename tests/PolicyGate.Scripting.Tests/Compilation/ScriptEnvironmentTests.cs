using Microsoft.CodeAnalysis.CSharp;
using PolicyGate.Scripting.Compilation;

namespace PolicyGate.Scripting.Tests.Compilation;

public sealed class ScriptEnvironmentTests
{
    /// <summary>
    /// The compile cache's key names Roslyn's version from the engine's references, so that a start-up served from the
    /// cache never loads the compiler: that version must be the one that compiles, or a Roslyn upgrade would reuse
    /// assemblies it did not build.
    /// </summary>
    [Fact]
    public void EngineFingerprint_NamesTheRoslynThatCompiles()
    {
        var loaded = typeof(CSharpCompilation).Assembly.GetName().Version;

        Assert.NotNull(ScriptEnvironment.RoslynVersion);
        Assert.Equal(loaded, ScriptEnvironment.RoslynVersion);
        Assert.Contains($"|{loaded}|", ScriptEnvironment.EngineFingerprint, StringComparison.Ordinal);
    }
}
