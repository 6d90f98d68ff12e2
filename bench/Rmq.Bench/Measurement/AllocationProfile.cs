using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Rmq.Bench.Measurement;

/// <summary>
/// Which types a measured window allocates (<c>--allocation-profile</c>): the runtime's sampled allocation
/// events (<c>GCAllocationTick</c>, one about every 100 KB a thread allocates, naming the type that crossed the mark),
/// heard in this process by an <see cref="EventListener"/>, summed by type for each window the scenarios open.
/// A sample stands for the bytes since the previous one, so the sums estimate each type's share without a
/// profiler attached. The events cost a little CPU, so a run with the profile is never a default run.
/// </summary>
internal sealed class AllocationProfile : EventListener
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const int AllocationTickEvent = 10;
    private const long GcKeyword = 0x1;

    // Initialised before the base constructor, which may already report the runtime's source.
    private readonly ConcurrentDictionary<string, Window> _windows = new();
    private Window? _open;

    /// <summary>The windows recorded so far, in the order they were first opened.</summary>
    public IReadOnlyList<Window> Windows => [.. _windows.Values.OrderBy(w => w.Order)];

    /// <summary>
    /// Records allocation samples under <paramref name="name"/> until the result is disposed, and adds <paramref name="messages"/>
    /// to its count (a window opened again, as by each repetition, adds up). One window is open at a time.
    /// </summary>
    public IDisposable Record(string name, int messages)
    {
        var window = _windows.GetOrAdd(name, n => new Window(n, _windows.Count));
        window.AddMessages(messages);
        _open = window;
        return new Closer(this);
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == RuntimeSource) EnableEvents(source, EventLevel.Verbose, (EventKeywords)GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventId != AllocationTickEvent || _open is not { } window || e.Payload is null || e.PayloadNames is null) return;
        var type = e.PayloadNames.IndexOf("TypeName");
        var amount = e.PayloadNames.IndexOf("AllocationAmount64");
        if (type < 0 || amount < 0) return;
        window.Add(e.Payload[type] as string ?? "?", Convert.ToInt64(e.Payload[amount], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>One named window: sampled bytes by type, and the messages its runs moved.</summary>
    internal sealed class Window(string name, int order)
    {
        private readonly ConcurrentDictionary<string, long> _bytes = new();
        private long _messages;

        public string Name { get; } = name;
        public int Order { get; } = order;
        public long Messages => Interlocked.Read(ref _messages);
        public long TotalBytes => _bytes.Values.Sum();

        /// <summary>The types by sampled bytes, largest first.</summary>
        public IEnumerable<(string Type, long Bytes)> Top(int count) =>
            _bytes.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value));

        public void AddMessages(int messages) => Interlocked.Add(ref _messages, messages);

        public void Add(string type, long bytes) => _bytes.AddOrUpdate(type, bytes, (_, sum) => sum + bytes);
    }

    private sealed class Closer(AllocationProfile profile) : IDisposable
    {
        public void Dispose() => profile._open = null;
    }
}
