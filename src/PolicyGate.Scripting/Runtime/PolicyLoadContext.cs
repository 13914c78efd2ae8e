using System.Reflection;
using System.Runtime.Loader;

namespace PolicyGate.Scripting.Runtime;

/// <summary>
/// A collectible load context holding one compiled policy script. Everything else (the policy API, the base
/// library) resolves from the default context, so scripts share the engine's types and can be unloaded alone.
/// </summary>
internal sealed class PolicyLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;
}
