using System.Collections.Concurrent;
using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Bench.Measurement;

/// <summary>
/// What the server ran in a measured window (<c>--command-profile</c>): Redis's own per-command counters
/// (<c>INFO commandstats</c>: calls and microseconds inside each command) read before and after each window the
/// scenarios open, the difference summed by command for each named window. Nothing is reset, so the other figures
/// of the run are untouched; the two reads are the profile's only cost. The counters cover the whole server, as the
/// server CPU column does, and count the commands a script calls as well as the script (its time includes theirs).
/// </summary>
internal sealed class CommandProfile(IServer server)
{
    /// <summary>The profile's own reads, left out of every window.</summary>
    private const string OwnCommand = "info";

    private readonly ConcurrentDictionary<string, Window> _windows = new();

    /// <summary>The windows recorded so far, in the order they were first opened.</summary>
    public IReadOnlyList<Window> Windows => [.. _windows.Values.OrderBy(w => w.Order)];

    /// <summary>
    /// Starts recording under <paramref name="name"/>; the window ends with <see cref="Recording.EndAsync"/>, which adds
    /// what the server ran meanwhile, and <paramref name="messages"/>, to the window (opened again, it adds up).
    /// </summary>
    public async Task<Recording> StartAsync(string name, int messages)
    {
        var window = _windows.GetOrAdd(name, n => new Window(n, _windows.Count));
        return new Recording(this, window, messages, await ReadAsync());
    }

    private async Task<Dictionary<string, (long Calls, long Microseconds)>> ReadAsync() =>
        Parse(await server.InfoRawAsync("commandstats") ?? "");

    /// <summary>
    /// The counters of an <c>INFO commandstats</c> reply by command: lines such as
    /// <c>cmdstat_lpush:calls=10,usec=25,usec_per_call=2.50,rejected_calls=0,failed_calls=0</c>.
    /// </summary>
    internal static Dictionary<string, (long Calls, long Microseconds)> Parse(string info)
    {
        var counters = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal) || line.IndexOf(':') is var colon && colon < 0) continue;
            long calls = 0, usec = 0;
            foreach (var field in line[(colon + 1)..].Split(','))
            {
                var eq = field.IndexOf('=');
                if (eq < 0) continue;
                var value = field[(eq + 1)..];
                switch (field[..eq])
                {
                    case "calls": calls = long.Parse(value, CultureInfo.InvariantCulture); break;
                    case "usec": usec = long.Parse(value, CultureInfo.InvariantCulture); break;
                }
            }
            counters[line["cmdstat_".Length..colon]] = (calls, usec);
        }
        return counters;
    }

    /// <summary>One window being recorded.</summary>
    internal sealed class Recording(CommandProfile profile, Window window, int messages, Dictionary<string, (long Calls, long Microseconds)> before)
    {
        private bool _ended;

        /// <summary>Reads the counters again and adds the difference to the window. Once; later calls do nothing.</summary>
        public async Task EndAsync()
        {
            if (_ended) return;
            _ended = true;
            var after = await profile.ReadAsync();
            window.AddMessages(messages);
            foreach (var (command, (calls, usec)) in after)
            {
                if (command == OwnCommand) continue;
                var (callsBefore, usecBefore) = before.GetValueOrDefault(command);
                if (calls > callsBefore) window.Add(command, calls - callsBefore, usec - usecBefore);
            }
        }
    }

    /// <summary>One named window: calls and microseconds by command, and the messages its runs moved.</summary>
    internal sealed class Window(string name, int order)
    {
        private readonly ConcurrentDictionary<string, (long Calls, long Microseconds)> _commands = new(StringComparer.Ordinal);
        private long _messages;

        public string Name { get; } = name;
        public int Order { get; } = order;
        public long Messages => Interlocked.Read(ref _messages);

        /// <summary>Every command the window saw, by microseconds spent in it, largest first.</summary>
        public IEnumerable<(string Command, long Calls, long Microseconds)> Commands =>
            _commands.OrderByDescending(p => p.Value.Microseconds).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => (p.Key, p.Value.Calls, p.Value.Microseconds));

        public void AddMessages(int messages) => Interlocked.Add(ref _messages, messages);

        public void Add(string command, long calls, long microseconds) =>
            _commands.AddOrUpdate(command, (calls, microseconds), (_, sum) => (sum.Calls + calls, sum.Microseconds + microseconds));
    }
}
