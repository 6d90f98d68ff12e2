using Microsoft.Extensions.Time.Testing;
using Rmq.Queue;

namespace Rmq.Tests;

/// <summary>
/// The consuming engine's wait (<see cref="EngineWait"/>) on a fake clock: a timeout under a millisecond must not end
/// at once (the pump would go round its loop until its deadline: a busy poll), a signal ends a wait at once, and the
/// timer of a wait a signal ended does not end the next one.
/// </summary>
public sealed class EngineWaitTests
{
    [Fact]
    public async Task A_timeout_under_a_millisecond_waits_a_whole_millisecond_instead_of_ending_at_once()
    {
        var time = new FakeTimeProvider();
        using var wait = new EngineWait(time);
        var waiting = wait.WaitAsync(TimeSpan.FromMilliseconds(0.4));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(0.5));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(0.5));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_timeout_ends_the_wait_when_it_has_passed()
    {
        var time = new FakeTimeProvider();
        using var wait = new EngineWait(time);
        var waiting = wait.WaitAsync(TimeSpan.FromMilliseconds(10));
        time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_signal_ends_the_wait_at_once_and_its_timer_does_not_end_the_next_wait()
    {
        var time = new FakeTimeProvider();
        using var wait = new EngineWait(time);
        var first = wait.WaitAsync(TimeSpan.FromMilliseconds(10));
        wait.Signal();
        await first.WaitAsync(TimeSpan.FromSeconds(5));

        // The first wait's due time passes before the next wait starts: its timer was disarmed when the signal ended
        // it, so nothing is left signalled for the next wait (were it still armed, its tick would end that one at once).
        time.Advance(TimeSpan.FromMilliseconds(10));
        var second = wait.WaitAsync(TimeSpan.FromSeconds(1));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_signal_given_before_the_wait_ends_it_at_once_and_only_that_one()
    {
        var time = new FakeTimeProvider();
        using var wait = new EngineWait(time);
        wait.Signal();
        await wait.WaitAsync(TimeSpan.FromDays(7)).WaitAsync(TimeSpan.FromSeconds(5));
        var next = wait.WaitAsync(TimeSpan.FromDays(7));
        Assert.False(next.IsCompleted);
        wait.Signal();
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_wait_after_the_run_disposed_it_is_a_defect()
    {
        var wait = new EngineWait(new FakeTimeProvider());
        wait.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => wait.WaitAsync(TimeSpan.FromMilliseconds(1)));
    }
}
