using Microsoft.Extensions.Logging;
using Rmq.Queue;
using Rmq.Redis;
using StackExchange.Redis;

namespace Rmq.DeadLetters;

/// <summary>
/// Calls a queue's <see cref="IDeadLetterHandlerGrain"/> for each notice in <see cref="RedisKeys.DeadLetterNotices"/>,
/// oldest first, and removes a notice only once its call returned: at least once. Started and stopped by the queue grain,
/// and runs on its scheduler; woken by the consuming engine when dead letters were applied, and looks again every
/// <see cref="PollInterval"/> (for notices of an activation that ended before it called for them).
/// </summary>
internal sealed partial class DeadLetterNotifier(string queue, RedisQueueStore store, IDeadLetterHandlerGrain handler, ILogger logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private const int ReadAtOnce = 100;

    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;

    public void Start() => _run ??= RunAsync();

    /// <summary>New notices may be there: look now.</summary>
    public void Wake() => _wake.TrySetResult();

    /// <summary>Stops at once: a handler call under way is not waited for, and its notice stays for the next activation.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null) await _run.ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var failures = 0;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            // Renewed before the read, so a wake that comes during it is not lost.
            if (_wake.Task.IsCompleted) _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var wake = _wake.Task;
            try
            {
                var notices = await store.OldestDeadLetterNoticesAsync(queue, ReadAtOnce);
                foreach (var notice in notices)
                {
                    if (Decode(notice) is { } deadLetter) await handler.OnDeadLettered(deadLetter).WaitAsync(token);
                    await store.RemoveOldestDeadLetterNoticeAsync(queue, notice);
                    failures = 0;
                }
                if (notices.Length == ReadAtOnce) continue;
                await Task.WhenAny(wake, Task.Delay(PollInterval, token));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                var backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(failures - 1, 10)));
                LogHandlerFailed(queue, failures, backoff, await BacklogAsync(), e);
                try
                {
                    await Task.Delay(backoff, token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The dead letter of a notice (the element as it went to rejected), or null (logged) for one that cannot be decoded.</summary>
    private DeadLetter? Decode(RedisValue notice)
    {
        try
        {
            if (HeaderCodec.TryDecode((byte[])notice!, out var headers, out var payload, out var error)) return ToDeadLetter(queue, headers, payload);
            LogBadNotice(queue, error, null);
        }
        catch (Exception e)
        {
            LogBadNotice(queue, e.Message, e);
        }
        return null;
    }

    private static DeadLetter ToDeadLetter(string queue, IReadOnlyDictionary<string, string[]> headers, byte[] payload)
    {
        string? Header(string name) => headers.TryGetValue(name, out var values) && values.Length > 0 ? values[0] : null;
        return new DeadLetter(queue, Header(DeadLetterHeaders.Reason) ?? "unknown",
            int.TryParse(Header(DeadLetterHeaders.Attempts), System.Globalization.CultureInfo.InvariantCulture, out var attempts) ? attempts : 0,
            Header(DeadLetterHeaders.LastError), Header(JobIds.Header), payload, headers);
    }

    /// <summary>How many notices wait, for the log; -1 when Redis cannot say.</summary>
    private async Task<long> BacklogAsync()
    {
        try
        {
            return await store.DeadLetterNoticeCountAsync(queue);
        }
        catch (Exception e) when (Faults.IsRedis(e))
        {
            return -1;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: its dead-letter handler failed {Failures} times in a row; the same dead letter is offered again in {Backoff}, and the {Backlog} waiting notices (-1: unknown) wait with it")]
    private partial void LogHandlerFailed(string queue, int failures, TimeSpan backoff, long backlog, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue {Queue}: a dead-letter notice cannot be decoded ({Error}; written by hand?); it is dropped, the element stays in rejected")]
    private partial void LogBadNotice(string queue, string? error, Exception? exception);
}
