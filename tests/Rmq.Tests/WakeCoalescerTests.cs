using Microsoft.Extensions.Time.Testing;
using Rmq.Publishing;
using Rmq.Redis;

namespace Rmq.Tests;

/// <summary>Which direct publishes wake a consuming queue: pure unit tests on a fake clock.</summary>
public sealed class WakeCoalescerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<(string Queue, TimeSpan At)> _wakes = [];
    private readonly DateTimeOffset _start;
    private readonly WakeCoalescer _coalescer;

    public WakeCoalescerTests()
    {
        _start = _time.GetUtcNow();
        _coalescer = new WakeCoalescer(q => _wakes.Add((q, _time.GetUtcNow() - _start)), _time);
    }

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>Closer together than the quiet gap: a stream.</summary>
    private static readonly TimeSpan Close = PublishCommands.WakeQuietGap / 2;

    private static readonly TimeSpan Window = PublishCommands.WakeWindow;

    [Fact]
    public void APublishAfterAQuietSpell_WakesAtOnce()
    {
        _coalescer.Published("q");
        _time.Advance(Ms(1));
        _coalescer.Published("q");
        Assert.Equal([("q", TimeSpan.Zero), ("q", Ms(1))], _wakes);
    }

    [Fact]
    public void PublishesCloseTogether_WakeOncePerWindow()
    {
        _coalescer.Published("q");
        var steps = (int)(Window * 1.2 / Close);
        for (var i = 0; i < steps; i++)
        {
            _time.Advance(Close);
            _coalescer.Published("q");
        }
        // A stream of 1.2 windows: the first publish, and the first one a window after it.
        Assert.Equal(2, _wakes.Count);
        Assert.Equal(TimeSpan.Zero, _wakes[0].At);
        Assert.InRange(_wakes[1].At, Window, Window + Close);
    }

    [Fact]
    public void AContinuousStream_WakesAboutOncePerWindow()
    {
        var steps = (int)(Window * 10 / Close);
        for (var i = 0; i < steps; i++)
        {
            _coalescer.Published("q");
            _time.Advance(Close);
        }
        Assert.InRange(_wakes.Count, 10, 11);
        for (var i = 1; i < _wakes.Count; i++) Assert.InRange(_wakes[i].At - _wakes[i - 1].At, Window, Window + Close);
    }

    [Fact]
    public void Queues_AreCoalescedSeparately()
    {
        _coalescer.Published("a");
        _coalescer.Published("b");
        _time.Advance(Close);
        _coalescer.Published("a");
        _coalescer.Published("b");
        Assert.Equal(["a", "b"], _wakes.Select(w => w.Queue));
    }
}
