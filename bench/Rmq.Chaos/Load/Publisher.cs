using System.Diagnostics;
using Rmq.Publishing;

namespace Rmq.Chaos;

/// <summary>
/// The external publisher (<c>Rmq.Chaos publish …</c>, a process of its own as real producers are):
/// publishes a seed's messages at an even rate over the duration, 80% through the client library's
/// direct publisher and 20% through <c>IQueueGrain</c>, and writes one line per publish to the log:
/// <c>ok &lt;id&gt;</c> when the publish returned, <c>unc &lt;id&gt;</c> when it failed in a way that
/// may still have written (a timeout, a dropped connection, a silo that died mid-call).
/// A failure that certainly wrote nothing (no connection, a server error) is retried.
/// </summary>
internal sealed class Publisher(string redis, int seed, int messages, TimeSpan duration, string logPath)
{
    private const int Workers = 16;
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var direct = await RmqPublisher.ConnectAsync(o => o.RedisConnectionString = redis, cancellationToken);
        await using var client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Redis;
            o.RedisConnectionString = redis;
        }, TimeSpan.FromSeconds(60), cancellationToken);
        await using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var logGate = new Lock();
        var next = -1;
        var (ok, uncertain, retries, gaveUp) = (0, 0, 0, 0);
        var clock = Stopwatch.StartNew();
        var perMessage = duration / messages;

        async Task Worker()
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= messages) return;
                var due = perMessage * n;
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken);
                var message = ChaosMessage.Create(seed, n);
                var started = clock.Elapsed;
                while (true)
                {
                    string outcome;
                    try
                    {
                        await PublishAsync(message, direct, client);
                        outcome = "ok";
                        Interlocked.Increment(ref ok);
                    }
                    catch (Exception e) when (WroteNothing(e) && clock.Elapsed - started < GiveUpAfter)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(100, cancellationToken);
                        continue;
                    }
                    catch (Exception e) when (WroteNothing(e))
                    {
                        Interlocked.Increment(ref gaveUp);
                        outcome = "gave-up";
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        Interlocked.Increment(ref uncertain);
                        outcome = "unc";
                    }
                    lock (logGate) log.WriteLine($"{outcome} {message.Id} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}");
                    break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker, cancellationToken)));
        Console.WriteLine($"published {ok}, uncertain {uncertain}, gave up {gaveUp}, retried {retries} in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static Task PublishAsync(ChaosMessage m, RmqPublisher direct, RmqClient client)
    {
        if (m.ThroughGrain)
        {
            var grain = client.Queue(m.Queue);
            return m.Headers is null ? grain.PublishBytes(m.Payload) : grain.Publish(RmqMessage.Bytes(m.Payload).WithHeaders(m.Headers));
        }
        var queue = direct.Queue(m.Queue);
        return m.Headers is null ? queue.PublishBytes(m.Payload) : queue.Publish(RmqMessage.Bytes(m.Payload).WithHeaders(m.Headers));
    }

    /// <summary>True when the publish certainly did not reach Redis: no connection to send on, or Redis refused it.</summary>
    private static bool WroteNothing(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is RedisServerException) return true;
            if (x.Message.Contains("No connection is active", StringComparison.Ordinal)
                || x.Message.Contains("No connection is available", StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
