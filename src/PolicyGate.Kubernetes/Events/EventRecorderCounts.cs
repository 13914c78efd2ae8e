namespace PolicyGate.Kubernetes.Events;

/// <summary>A snapshot of what an <see cref="EventRecorder"/> has done since it was built, for the server to export
/// as metrics. Every occurrence passed to <see cref="EventRecorder.TryRecord"/> ends up in exactly one of: an Event
/// (created or folded into a series), <see cref="Dropped"/>, <see cref="Failed"/> (with the writes that carried it),
/// or <see cref="Abandoned"/>; nothing is lost without being counted.</summary>
/// <param name="Accepted">Occurrences <see cref="EventRecorder.TryRecord"/> queued (it returned true).</param>
/// <param name="Created">Events created on the API server (including re-creations after a series' Event vanished).</param>
/// <param name="SeriesUpdated">Series merge patches the API server accepted.</param>
/// <param name="Dropped">Occurrences refused by <see cref="EventRecorder.TryRecord"/>: queue full, or recorder disposed.</param>
/// <param name="Failed">API writes given up on: a 4xx that is not retried (anything but 429, a 409 on create while new
/// names remain, and a 404 on a series patch, which re-creates the Event), or a failure that outlasted the last retry.
/// The occurrences each write carried are lost.</param>
/// <param name="Abandoned">Occurrences still queued, or counted in a series but not yet patched, when disposal's
/// drain deadline passed (or when the recorder was disposed without being started).</param>
public readonly record struct EventRecorderCounts(
    long Accepted, long Created, long SeriesUpdated, long Dropped, long Failed, long Abandoned);
