using System.Security.Cryptography;

namespace PolicyGate.Scripting.Compilation;

/// <summary>
/// Keeps compiled scripts on disk between runs, named by their cache key (source hash + engine fingerprint), with
/// a checksum beside each so a damaged or truncated entry is detected and recompiled. Writes are atomic renames;
/// an unwritable directory only costs the cache, never a compilation.
/// </summary>
internal sealed class CompiledScriptStore(string directory)
{
    public (byte[] Assembly, byte[] Symbols)? TryLoad(string key)
    {
        try
        {
            var dll = Path.Combine(directory, key + ".dll");
            var pdb = Path.Combine(directory, key + ".pdb");
            var sum = Path.Combine(directory, key + ".sha256");
            if (!File.Exists(dll) || !File.Exists(pdb) || !File.Exists(sum))
            {
                return null;
            }

            var assembly = File.ReadAllBytes(dll);
            var symbols = File.ReadAllBytes(pdb);
            return File.ReadAllText(sum).Trim() == Checksum(assembly, symbols) ? (assembly, symbols) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Save(string key, byte[] assembly, byte[] symbols)
    {
        try
        {
            Directory.CreateDirectory(directory);
            WriteAtomically(Path.Combine(directory, key + ".dll"), assembly);
            WriteAtomically(Path.Combine(directory, key + ".pdb"), symbols);
            WriteAtomically(Path.Combine(directory, key + ".sha256"), System.Text.Encoding.ASCII.GetBytes(Checksum(assembly, symbols)));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void WriteAtomically(string path, byte[] content)
    {
        var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private static string Checksum(byte[] assembly, byte[] symbols)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(assembly);
        hash.AppendData(symbols);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
