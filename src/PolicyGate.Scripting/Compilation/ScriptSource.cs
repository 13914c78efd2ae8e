namespace PolicyGate.Scripting.Compilation;

/// <summary>A policy script's text and where it came from (used in diagnostics).</summary>
/// <param name="Origin">A file path, <c>builtin://NAME</c>, or <c>FILE (inline script of policy NAME)</c>.</param>
public sealed record ScriptSource(string Code, string Origin);
