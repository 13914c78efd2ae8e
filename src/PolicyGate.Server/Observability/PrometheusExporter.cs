using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace PolicyGate.Server.Observability;

/// <summary>
/// Aggregates the measurements of one <see cref="Meter"/> and writes them in the Prometheus text exposition format
/// (counters and histograms). Listens to that meter instance only, so several servers in one process (tests) never
/// mix their figures.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<SeriesKey, Series> _series = new();
    private readonly ConcurrentDictionary<string, (string Help, bool Histogram)> _instruments = new();

    public PrometheusExporter(PolicyGateMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                _instruments[instrument.Name] = (instrument.Description ?? instrument.Name, instrument is Histogram<double>);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        // An observable counter reports its running total each time it is read; a plain counter, increments.
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.IsObservable)
            {
                Get(instrument, tags).Set(value);
            }
            else
            {
                Get(instrument, tags).Add(value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Get(instrument, tags).Observe(value));
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var (name, (help, histogram)) in _instruments.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(name).Append(histogram ? " histogram\n" : " counter\n");
            foreach (var (labels, series) in _series.Where(s => s.Key.Name == name).Select(s => (s.Key.Labels(), s.Value)).OrderBy(s => s.Item1, StringComparer.Ordinal))
            {
                if (!histogram)
                {
                    text.Append(name).Append(Braces(labels)).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                    continue;
                }

                long cumulative = 0;
                for (var i = 0; i < Buckets.Length; i++)
                {
                    cumulative += Volatile.Read(ref series.BucketCounts[i]);
                    text.Append(name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Buckets[i].ToString(CultureInfo.InvariantCulture)}\"")))
                        .Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                text.Append(name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(series.Sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(series.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The series for a measurement. On the hot path (every admission decision) nothing is formatted: the key holds
    /// the instrument and up to two tags as they come; label text is built only when /metrics is rendered.
    /// </summary>
    private Series Get(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length > 2)
        {
            throw new NotSupportedException($"{instrument.Name}: the exporter keys series by at most two tags");
        }

        var key = new SeriesKey(
            instrument.Name,
            tags.Length > 0 ? tags[0].Key : null,
            tags.Length > 0 ? tags[0].Value as string ?? Convert.ToString(tags[0].Value, CultureInfo.InvariantCulture) : null,
            tags.Length > 1 ? tags[1].Key : null,
            tags.Length > 1 ? tags[1].Value as string ?? Convert.ToString(tags[1].Value, CultureInfo.InvariantCulture) : null);
        return _series.TryGetValue(key, out var existing) ? existing : _series.GetOrAdd(key, _ => new Series());
    }

    private readonly record struct SeriesKey(string Name, string? Key1, string? Value1, string? Key2, string? Value2)
    {
        public string Labels()
        {
            var labels = new List<string>(2);
            if (Key1 is not null)
            {
                labels.Add($"{Key1}=\"{Escape(Value1 ?? "")}\"");
            }

            if (Key2 is not null)
            {
                labels.Add($"{Key2}=\"{Escape(Value2 ?? "")}\"");
            }

            labels.Sort(StringComparer.Ordinal);
            return string.Join(",", labels);
        }
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? "" : "{" + labels + "}";

    private static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed class Series
    {
        public readonly long[] BucketCounts = new long[Buckets.Length];
        private long _count;
        private long _sumBits;

        public long Count => Volatile.Read(ref _count);

        public double Sum => BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits));

        public void Add(long value) => Interlocked.Add(ref _count, value);

        public void Set(long value) => Volatile.Write(ref _count, value);

        public void Observe(double value)
        {
            var bucket = Array.FindIndex(Buckets, b => value <= b);
            if (bucket >= 0)
            {
                Interlocked.Increment(ref BucketCounts[bucket]);
            }

            Interlocked.Increment(ref _count);
            long seen, updated;
            do
            {
                seen = Volatile.Read(ref _sumBits);
                updated = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
            }
            while (Interlocked.CompareExchange(ref _sumBits, updated, seen) != seen);
        }
    }
}
