using PolicyGate.Core.Api.V1;

namespace PolicyGate.Scripting.Loading;

/// <summary>Where the scripts of <c>configmap://</c> modules come from (serve's cache of the ConfigMaps they name).</summary>
public interface IConfigMapScripts
{
    /// <summary>The value of the module's key, or null with the reason (the ConfigMap or key is missing, or not read yet).</summary>
    string? Read(ConfigMapModule module, out string? error);
}
