namespace PolicyGate.Scripting.Compilation;

/// <summary>
/// A compiled policy script as bytes, not loaded: what a worker process receives to run a policy in isolation, so that
/// it needs no compiler of its own and the server never loads or runs the script.
/// </summary>
/// <param name="Hash">The cache key (SHA-256 of the source and the engine's fingerprint).</param>
public sealed record PolicyImage(string Hash, byte[] Assembly, byte[] Symbols);
