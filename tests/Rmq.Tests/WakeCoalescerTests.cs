using Microsoft.Extensions.Time.Testing;
using Rmq.Publishing;

namespace Rmq.Tests;

/// <summary>When the direct publisher wakes a consuming queue: pure unit tests on a fake clock.</summary>
public sealed class WakeCoalescerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(0.25);
    private readonly FakeTimeProvider _time = new();
    private readonly List<(string Queue, TimeSpan At)> _wakes = [];
    private readonly DateTimeOffset _start;
    private readonly WakeCoalescer _coalescer;

    public WakeCoalescerTests()
    {
        _start = _time.GetUtcNow();
        _coalescer = new WakeCoalescer(Interval, Quiet, q => _wakes.Add((q, _time.GetUtcNow() - _start)), _time);
    }

    [Fact]
    public void APublishAfterAQuietSpell_WakesAtOnce()
    {
        _coalescer.Published("q");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _coalescer.Published("q");
        Assert.Equal([("q", TimeSpan.Zero), ("q", TimeSpan.FromMilliseconds(1))], _wakes);
    }

    [Fact]
    public void PublishesCloseTogether_WakeOnceTheStreamPauses()
    {
        _coalescer.Published("q");
        for (var i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(0.1));
            _coalescer.Published("q");
        }
        Assert.Single(_wakes);
        // The pause: a quiet gap after the last publish (0.3 ms), the trailing wake goes out.
        _time.Advance(Quiet);
        Assert.Equal(2, _wakes.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(0.3) + Quiet, _wakes[1].At);
    }

    [Fact]
    public void AContinuousStream_WakesAboutOncePerInterval_AndTheLastPublishIsFollowedByAWake()
    {
        // 20 kHz for 50 ms: a publish every 0.05 ms, never a quiet gap.
        var lastPublish = TimeSpan.Zero;
        for (var i = 0; i < 1000; i++)
        {
            lastPublish = _time.GetUtcNow() - _start;
            _coalescer.Published("q");
            _time.Advance(TimeSpan.FromMilliseconds(0.05));
        }
        _time.Advance(Interval);
        var wakes = string.Join(",", _wakes.Select(w => w.At.TotalMilliseconds));
        Assert.True(_wakes.Count is >= 10 and <= 12, wakes);
        for (var i = 1; i < _wakes.Count; i++) Assert.True(_wakes[i].At - _wakes[i - 1].At <= Interval + TimeSpan.FromMilliseconds(0.05), wakes);
        // Nothing published stays without a wake after it.
        Assert.True(_wakes[^1].At >= lastPublish, wakes);
        var count = _wakes.Count;
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(count, _wakes.Count);
    }

    [Fact]
    public void Queues_AreCoalescedSeparately()
    {
        _coalescer.Published("a");
        _coalescer.Published("b");
        _time.Advance(TimeSpan.FromMilliseconds(0.1));
        _coalescer.Published("a");
        Assert.Equal(["a", "b"], _wakes.Select(w => w.Queue));
        _time.Advance(Interval);
        Assert.Equal(["a", "b", "a"], _wakes.Select(w => w.Queue));
    }
}
