using System.Security.Cryptography;
using System.Text;

namespace PolicyGate.Scripting.Compilation;

/// <summary>
/// Keeps compiled scripts on disk between runs, named by their cache key (source hash + engine fingerprint), with
/// a checksum beside each so a damaged or truncated entry is detected and recompiled. The checksum covers the key
/// too, so an entry copied or renamed under another key (another source, another engine build) is never used.
/// Writes are atomic renames; an unwritable directory only costs the cache, never a compilation.
/// </summary>
/// <remarks>
/// Whoever can write to the directory can put code into every process that reads it, so on Unix the directory is
/// created private to its owner (0700) and its files 0600, and an existing directory that others may write to is
/// not used at all (<see cref="Problem"/> says why).
/// </remarks>
internal sealed class CompiledScriptStore(string directory)
{
    private const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    private readonly Lock _gate = new();
    private bool _checked;
    private string? _problem;

    /// <summary>Why the cache is not used (its directory is writable by others, or cannot be made), or null.</summary>
    public string? Problem
    {
        get
        {
            EnsureDirectory();
            return _problem;
        }
    }

    public (byte[] Assembly, byte[] Symbols)? TryLoad(string key)
    {
        if (!EnsureDirectory())
        {
            return null;
        }

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
            return File.ReadAllText(sum).Trim() == Checksum(key, assembly, symbols) ? (assembly, symbols) : null;
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
        if (!EnsureDirectory())
        {
            return;
        }

        try
        {
            WriteAtomically(Path.Combine(directory, key + ".dll"), assembly);
            WriteAtomically(Path.Combine(directory, key + ".pdb"), symbols);

            // The checksum goes last: an entry is complete (and used) only once it is there.
            WriteAtomically(Path.Combine(directory, key + ".sha256"), Encoding.ASCII.GetBytes(Checksum(key, assembly, symbols)));
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Creates the directory private to its owner, or checks that an existing one is; once per store.</summary>
    private bool EnsureDirectory()
    {
        lock (_gate)
        {
            if (!_checked)
            {
                _problem = CheckDirectory();
                _checked = true;
            }

            return _problem is null;
        }
    }

    private string? CheckDirectory()
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
                return null;
            }

            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, PrivateDirectory);
            }

            var mode = File.GetUnixFileMode(directory);
            return (mode & WritableByOthers) != 0
                ? $"the compile cache directory {directory} is writable by other users ({Format(mode)}); it is not used (make it 0700)"
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the compile cache directory {directory} cannot be created: {ex.Message}";
        }
    }

    private static string Format(UnixFileMode mode) => Convert.ToString((int)mode & 0x1FF, 8).PadLeft(4, '0');

    private static void WriteAtomically(string path, byte[] content)
    {
        var temp = path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        using (var stream = new FileStream(temp, options))
        {
            stream.Write(content);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static string Checksum(string key, byte[] assembly, byte[] symbols)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.ASCII.GetBytes(key + "\n"));
        hash.AppendData(BitConverter.GetBytes((long)assembly.Length));
        hash.AppendData(assembly);
        hash.AppendData(symbols);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
