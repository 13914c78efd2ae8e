namespace PolicyGate.Server.Policies;

/// <summary>
/// Tells when anything in a folder changes: in-place writes, atomic renames, and the <c>..data</c> symlink swap
/// Kubernetes uses for mounted ConfigMaps and Secrets. File-system events give speed; a poll of a fingerprint
/// (every file's resolved target, size and write time) catches whatever events miss. Signals are coalesced:
/// <see cref="WaitForChangeAsync"/> completes once for any number of changes since the last call.
/// </summary>
internal sealed class DirectoryMonitor : IDisposable
{
    private readonly string _directory;
    private readonly TimeSpan _pollInterval;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private string _fingerprint;

    public DirectoryMonitor(string directory, TimeSpan pollInterval)
    {
        _directory = directory;
        _pollInterval = pollInterval;
        _fingerprint = Fingerprint(directory);
        try
        {
            _watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => Signal();
            _watcher.Created += (_, _) => Signal();
            _watcher.Deleted += (_, _) => Signal();
            _watcher.Renamed += (_, _) => Signal();
            _watcher.Error += (_, _) => Signal();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            // Out of inotify watches or an exotic file system: polling alone still finds every change.
            _watcher = null;
        }
    }

    /// <summary>Completes when the folder has changed since the previous call (or since construction).</summary>
    public async Task WaitForChangeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await _signal.WaitAsync(_pollInterval, cancellationToken).ConfigureAwait(false))
            {
                _fingerprint = Fingerprint(_directory);
                return;
            }

            var now = Fingerprint(_directory);
            if (now != _fingerprint)
            {
                _fingerprint = now;
                return;
            }
        }
    }

    /// <summary>
    /// Forgets the changes seen so far: called right before the folder is read, so the events of the burst just
    /// handled (and the poll's view of it) do not cause a second, empty reload.
    /// </summary>
    public void Acknowledge()
    {
        while (_signal.CurrentCount > 0 && _signal.Wait(0))
        {
        }

        _fingerprint = Fingerprint(_directory);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _signal.Dispose();
    }

    private void Signal()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Every visible file's path, the file it resolves to, its size and its write time.</summary>
    internal static string Fingerprint(string directory)
    {
        var parts = new List<string>();
        try
        {
            foreach (var file in VisibleFiles(directory))
            {
                var info = new FileInfo(file);
                var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? info;
                parts.Add($"{file}|{target.FullName}|{(target.Exists ? target.Length : -1)}|{(target.Exists ? target.LastWriteTimeUtc.Ticks : 0)}");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            parts.Add("unreadable:" + ex.Message);
        }

        return string.Join("\n", parts);
    }

    /// <summary>
    /// The files of a folder, recursively, skipping hidden entries: a mounted ConfigMap keeps its real files under
    /// <c>..2024_...</c> and <c>..data</c>, and shows them through top-level symlinks; reading both would load every
    /// policy twice.
    /// </summary>
    internal static IEnumerable<string> VisibleFiles(string directory)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden, IgnoreInaccessible = true };
        return Directory.EnumerateFiles(directory, "*", options)
            .Where(f => !Path.GetRelativePath(directory, f).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal);
    }
}
