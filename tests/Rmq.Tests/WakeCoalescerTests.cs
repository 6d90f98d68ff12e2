using Microsoft.Extensions.Time.Testing;
using Rmq.Publishing;

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
        for (var i = 0; i < 60; i++)
        {
            _time.Advance(Ms(0.1));
            _coalescer.Published("q");
        }
        // 6 ms of publishes 0.1 ms apart: the first, and the first after the 5 ms window.
        Assert.Equal([TimeSpan.Zero, Ms(5)], _wakes.Select(w => w.At));
    }

    [Fact]
    public void AContinuousStream_WakesAboutOncePerWindow()
    {
        for (var i = 0; i < 1000; i++)
        {
            _coalescer.Published("q");
            _time.Advance(Ms(0.05));
        }
        Assert.InRange(_wakes.Count, 10, 11);
        for (var i = 1; i < _wakes.Count; i++) Assert.InRange(_wakes[i].At - _wakes[i - 1].At, Ms(5), Ms(5.05));
    }

    [Fact]
    public void Queues_AreCoalescedSeparately()
    {
        _coalescer.Published("a");
        _coalescer.Published("b");
        _time.Advance(Ms(0.1));
        _coalescer.Published("a");
        _coalescer.Published("b");
        Assert.Equal(["a", "b"], _wakes.Select(w => w.Queue));
    }
}
