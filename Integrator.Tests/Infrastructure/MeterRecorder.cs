using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Integrator.Tests.Infrastructure;

/// <summary>
/// Listens to one meter of one app (other apps run in parallel): counters (up-down ones too, from when the listening
/// began) add up, gauges keep their last value; each
/// is kept under its name and, when tagged, under <c>name{key=value}</c> of its first tag too.
/// </summary>
public sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _values = new();

    public MeterRecorder(IMeterFactory factory, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public double Read(string name)
    {
        _listener.RecordObservableInstruments();
        return _values.GetValueOrDefault(name);
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var counter = instrument is Counter<long> or UpDownCounter<long>;
        if (tags.Length > 0)
        {
            _values.AddOrUpdate($"{instrument.Name}{{{tags[0].Key}={tags[0].Value}}}", value, (_, old) => counter ? old + value : value);
        }

        _values.AddOrUpdate(instrument.Name, value, (_, old) => counter ? old + value : value);
    }
}
