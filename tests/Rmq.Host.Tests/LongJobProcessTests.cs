using System.Diagnostics;
using Orleans.Runtime.Placement;
using Rmq.Demo;
using static Rmq.Tests.Infrastructure.RedisScan;

namespace Rmq.Host.Tests;

/// <summary>
/// Long-running jobs across two real <c>Rmq.Silo</c> processes, with the shortened timings: Orleans' response
/// timeout and the consumer timeout 3 s, a 2 s lease, jobs of 20 s. The queue runs on one silo, its job consumer
/// (<see cref="IDemoJobGrain"/>) on the other. A 20 s job completes exactly once; then the consumer's silo is killed
/// with SIGKILL 5 s into the next one, and that job runs once more, as attempt 2, on the silo that lives. Every run
/// is seen through <see cref="IQueueGrain.GetJobsInFlight"/>, polled every 100 ms; every count is read from Redis.
/// </summary>
public sealed class LongJobProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan JobLength = TimeSpan.FromSeconds(20);

    private static readonly string[] Settings =
    [
        "--Silo:Clustering", "Redis",
        "--Silo:ProbeTimeout", "00:00:01",
        "--Silo:NumMissedProbesLimit", "2",
        "--Silo:ResponseTimeout", "00:00:03",
        "--Rmq:ConsumerTimeout", "00:00:03",
        "--Rmq:JobLease", "00:00:02",
        "--Rmq:ConsumerRetryDelay", "00:00:00.5",
        "--Rmq:CleanerInterval", "00:00:01",
        "--Logging:LogLevel:Orleans.Runtime.GrainDirectory", "Information",
        "--Logging:LogLevel:Rmq", "Debug",
    ];

    private readonly RedisKeys _keys = new(KeyDialect.Classic);
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _multiplexer = null!;
    private SiloProcess _queueSilo = null!;
    private SiloProcess _consumerSilo = null!;
    private RmqClient _client = null!;

    private IDatabase Db => _multiplexer.GetDatabase();

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _multiplexer = await ConnectionMultiplexer.ConnectAsync(_redis.Endpoint);
        _queueSilo = SiloProcess.Start("jobs-q", _redis.Endpoint, Settings);
        await _queueSilo.WaitHealthyAsync();
        _consumerSilo = SiloProcess.Start("jobs-c", _redis.Endpoint, Settings);
        await _consumerSilo.WaitHealthyAsync(activeSilos: 2);
        await _queueSilo.WaitHealthyAsync(activeSilos: 2);
        _client = await RmqClient.ConnectAsync(o =>
        {
            o.Clustering = RmqClientClustering.Redis;
            o.RedisConnectionString = _redis.Endpoint;
        });
    }

    public async Task DisposeAsync()
    {
        // Also called after a failed InitializeAsync: dispose what was started.
        if (_client is not null) await _client.DisposeAsync();
        if (_queueSilo is not null) await _queueSilo.DisposeAsync();
        if (_consumerSilo is not null) await _consumerSilo.DisposeAsync();
        if (_multiplexer is not null) await _multiplexer.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A20sJob_CompletesExactlyOnce_AndWithItsConsumersSiloKilled5sIntoTheNext_ThatOneRunsOnceMore_AsAttempt2_OnTheOtherSilo()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            output.WriteLine($"--- {_queueSilo.Name}:\n{_queueSilo.Output.All}\n--- {_consumerSilo.Name}:\n{_consumerSilo.Output.All}");
            throw;
        }
    }

    private async Task RunAsync()
    {
        var name = $"jobs-{Guid.NewGuid():N}"[..13];
        var queue = _client.Queue(name);
        var consumer = _client.Grains.GetGrain<IDemoJobGrain>(Random.Shared.NextInt64(1, long.MaxValue));
        var silos = (await _client.Grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true)).ToDictionary(h => h.SiloName, h => h.SiloAddress);
        await PlaceAsync(queue, silos[_queueSilo.Name], () => queue.GetStats());
        await PlaceAsync(consumer, silos[_consumerSilo.Name], async () => Assert.Equal(_consumerSilo.Name, await consumer.GetSiloName()));
        // A lost lease is a failed attempt: under a retry policy it comes back as attempt 2, after a backoff.
        await queue.SetRetryPolicy(new RetryPolicy(3, TimeSpan.FromMilliseconds(500), 1, TimeSpan.FromSeconds(1), 0));
        await queue.StartConsuming(1, TimeSpan.FromMilliseconds(50));
        await queue.AddLongRunningConsumer("job", consumer);

        // One 20 s job, past six response timeouts and ten leases: one run, acked, nothing redelivered.
        await queue.Publish($"{JobLength.TotalMilliseconds}:once");
        await using (var runs = RunWatch.Start(queue))
        {
            var first = await runs.NextAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(1, first.Attempt);
            await Eventually.Equal((0L, 0L, 0L, 0L), () => CountsAsync(name), "(ready, unacked, rejected, scheduled) after the first job", 40);
            await Task.Delay(Lease);
            Assert.Equal(1, runs.Count);
            Assert.True(runs.LastSeen - first.Started >= JobLength - TimeSpan.FromSeconds(1), $"the run was seen for {runs.LastSeen - first.Started} only");
        }

        // The next one: its consumer's silo killed 5 s in.
        await queue.Publish($"{JobLength.TotalMilliseconds}:killed");
        await using (var runs = RunWatch.Start(queue))
        {
            var doomed = await runs.NextAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(1, doomed.Attempt);
            await Eventually.True(() => Task.FromResult(DateTime.UtcNow - doomed.Started >= TimeSpan.FromSeconds(5)), "5 s into the job", 15);
            await Eventually.True(async () => (await queue.GetJobsInFlight()).SingleOrDefault() is { } j && j.LastRenewed > j.Started, "the lease renewed by its silo");
            await _consumerSilo.KillAsync();
            var killedAt = DateTime.UtcNow;

            // Orleans sees the kill at once (the connection resets) and ends the call; a run that had renewed its lease
            // counts as an attempt and goes out again after the policy's backoff, to the consumer's new activation on the
            // silo that lives. The lease is the bound when nothing tells the queue: a silo that hangs, or a lost network.
            var again = await runs.NextAsync(TimeSpan.FromSeconds(30), async () =>
                $"(ready, unacked, rejected, scheduled) {await CountsAsync(name)}; consuming {await queue.GetConsumingStatus()}; keys {await DumpAsync()}");
            var after = again.Started - killedAt;
            Assert.True(after < Lease + TimeSpan.FromSeconds(5), $"run again {after.TotalSeconds:F1} s after the kill, later than its lease and backoff allow");
            Assert.True(again.Attempt == 2, $"the second run is attempt {again.Attempt}; runs seen: {runs.Describe()}");
            var management = _client.Grains.GetGrain<IManagementGrain>(0);
            Assert.Equal(silos[_queueSilo.Name], await management.GetActivationAddress(consumer));
            Assert.Equal(_queueSilo.Name, await consumer.GetSiloName());
            await Eventually.Equal((0L, 0L, 0L, 0L), () => CountsAsync(name), "(ready, unacked, rejected, scheduled) after the second job", 40);
            await Task.Delay(Lease);
            Assert.Equal(2, runs.Count);
            var status = (await queue.GetStats()).Consuming!;
            Assert.Equal(0, status.StaleJobOutcomes);
            Assert.False(status.Stalled);
            foreach (var line in _queueSilo.Output.All.Split('\n').Where(l => l.Contains("deactivat", StringComparison.OrdinalIgnoreCase) || l.Contains("has died", StringComparison.Ordinal))) output.WriteLine("Q: " + line);
            output.WriteLine($"run again {after.TotalSeconds:F1} s after the kill (lease {Lease.TotalSeconds} s), as attempt {again.Attempt}, on {_queueSilo.Name}; {runs.Failures} polls failed (last: {runs.LastFailure})");
        }
        await queue.StopConsuming();
    }

    private async Task PlaceAsync(IAddressable grain, SiloAddress silo, Func<Task> activate)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await activate();
        }
        finally
        {
            RequestContext.Clear();
        }
        Assert.Equal(silo, await _client.Grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grain));
    }

    /// <summary>Every key in Redis with its type and length: on failure, where the delivery is if not in the queue's lists.</summary>
    private async Task<string> DumpAsync()
    {
        var parts = new List<string>();
        await foreach (var key in _multiplexer.KeysAsync("*"))
        {
            var type = await Db.KeyTypeAsync(key);
            var len = type switch { RedisType.List => await Db.ListLengthAsync(key), RedisType.Set => await Db.SetLengthAsync(key), RedisType.SortedSet => await Db.SortedSetLengthAsync(key), RedisType.Hash => await Db.HashLengthAsync(key), _ => -1 };
            parts.Add($"{key}:{type}:{len}");
        }
        return string.Join(" ", parts);
    }

    private async Task<(long Ready, long Unacked, long Rejected, long Scheduled)> CountsAsync(string queue)
    {
        long unacked = 0;
        foreach (var c in await Db.SetMembersAsync(RedisKeys.Connections)) unacked += await Db.ListLengthAsync(_keys.Unacked(c!, queue));
        return (await Db.ListLengthAsync(_keys.Ready(queue)), unacked, await Db.ListLengthAsync(_keys.Rejected(queue)), await Db.SortedSetLengthAsync(_keys.Scheduled(queue)));
    }

    /// <summary>Polls a queue's jobs in flight every 100 ms: each distinct run (by its start) is one run.</summary>
    private sealed class RunWatch : IAsyncDisposable
    {
        private static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(2);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<JobInFlight> _runs = [];
        private readonly Task _polling;

        private RunWatch(IQueueGrain queue) => _polling = PollAsync(queue);

        public int Count
        {
            get { lock (_runs) return _runs.Count; }
        }

        /// <summary>When a run was last seen in flight.</summary>
        public DateTime LastSeen { get; private set; }

        public static RunWatch Start(IQueueGrain queue) => new(queue);

        public string Describe()
        {
            lock (_runs) return string.Join("; ", _runs.Select(r => $"delivery {r.DeliveryId} attempt {r.Attempt} started {r.Started:HH:mm:ss.fff} by {r.Consumer}"));
        }

        public async Task<JobInFlight> NextAsync(TimeSpan within, Func<Task<string>>? describe = null)
        {
            var seen = Count;
            try
            {
                await Eventually.True(() => Task.FromResult(Count > seen), $"run {seen + 1} started", within.TotalSeconds);
            }
            catch (Exception e) when (describe is not null)
            {
                // Where the delivery is and what the queue says, so a failure shows which step did not happen.
                throw new InvalidOperationException($"{e.Message}; {Failures} polls failed (last: {LastFailure}); {await describe()}", e);
            }
            lock (_runs) return _runs[seen];
        }

        private async Task PollAsync(IQueueGrain queue)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    // A call the client sent through the killed silo's gateway is lost with it, and Orleans only gives it up at
                    // the client's response timeout (30 s): bounded here, so one lost poll costs a poll, not the run it missed.
                    foreach (var job in await queue.GetJobsInFlight().WaitAsync(PollTimeout, _stop.Token))
                    {
                        LastSeen = DateTime.UtcNow;
                        lock (_runs)
                            if (!_runs.Any(r => r.Started == job.Started)) _runs.Add(job);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    // A poll that fails (the cluster is reshaping after the kill) is a gap of one poll: a 20 s run is still seen.
                    Failures++;
                    LastFailure = $"{DateTime.UtcNow:HH:mm:ss.fff} {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                }
                try
                {
                    await Task.Delay(100, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        /// <summary>Polls that failed.</summary>
        public int Failures { get; private set; }

        /// <summary>When the last failed poll failed, and why.</summary>
        public string? LastFailure { get; private set; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _polling;
            _stop.Dispose();
        }
    }
}
