namespace PolicyGate.Kubernetes.Watch;

/// <summary>A snapshot of what a <see cref="ResourceCache"/> has done since it started, for the server to export as
/// metrics.</summary>
/// <param name="Lists">Successful list calls (the first one, and every re-list after it).</param>
/// <param name="Relists">Re-lists forced by <c>410 Gone</c>: the watch's resourceVersion had expired, so events may
/// have been missed and the whole set was read again.</param>
/// <param name="WatchRestarts">Watches started to resume from the last resourceVersion after the previous watch ended
/// (normally, at its timeout, or through an error); the first watch after each list is not counted.</param>
/// <param name="Errors">Failed list or watch calls and broken watch streams (connection dropped, 5xx, 429, timeouts,
/// unreadable events), each logged; the loop backed off and carried on after every one.</param>
/// <param name="Events">Watch events applied (added, modified, deleted and bookmarks).</param>
public readonly record struct ResourceCacheCounts(long Lists, long Relists, long WatchRestarts, long Errors, long Events);
