using System.Security.Cryptography;
using System.Text;
using Rmq.Recurring;
using Rmq.Redis;

namespace Rmq.Queue;

/// <summary>Administration: the retry policy and push queue settings, purges, returns, destroy, drain, remove and stats — each one script or one command of the store.</summary>
internal sealed partial class QueueGrain
{
    public async Task SetRetryPolicy(RetryPolicy? policy)
    {
        EnsureValidName();
        policy?.Validate();
        await ExclusiveAsync(async () =>
        {
            // Persisted first: if Redis is unreachable the caller learns it and nothing changes.
            await store.SaveRetryPolicyAsync(_name, policy);
            _retryPolicy = policy;
            if (_engine is { } engine) engine.RetryPolicy = policy;
        });
    }

    public Task<RetryPolicy?> GetRetryPolicy()
    {
        EnsureValidName();
        return store.LoadRetryPolicyAsync(_name);
    }

    public async Task SetPushQueue(string pushQueueName)
    {
        EnsureValidName();
        if (pushQueueName is not null) CheckPushQueue(pushQueueName);
        await _lifecycle.WaitAsync();
        try
        {
            if (pushQueueName is not null) await RejectPushCycleAsync(pushQueueName);
            await store.SavePushQueueAsync(_name, pushQueueName);
            if (pushQueueName is not null) await store.ListQueueAsync(pushQueueName);
            _pushQueue = pushQueueName;
            if (_engine is { } engine) engine.PushQueue = pushQueueName;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private void CheckPushQueue(string pushQueueName)
    {
        QueueNames.Validate(pushQueueName, nameof(pushQueueName));
        if (pushQueueName == _name)
            throw new ArgumentException($"Invalid pushQueueName: queue '{_name}' cannot push to itself; pushed deliveries would come straight back.", nameof(pushQueueName));
    }

    /// <summary>Follows the push queues from <paramref name="target"/>; coming back here would circle deliveries forever.</summary>
    private async Task RejectPushCycleAsync(string target)
    {
        var chain = new List<string> { _name, target };
        var next = target;
        for (var i = 0; i < MaxPushChain; i++)
        {
            next = await store.LoadPushQueueAsync(next);
            if (next is null) return;
            chain.Add(next);
            if (next == _name)
                throw new ArgumentException(
                    $"Invalid pushQueueName: pushing from '{_name}' to '{target}' makes a cycle ({string.Join(" → ", chain)}); pushed deliveries would circle forever. Clear the push queue of one of them first (SetPushQueue(null)).",
                    "pushQueueName");
            if (chain.IndexOf(next) < chain.Count - 1) return; // a cycle further on, not through this queue
        }
    }

    public Task<long> PurgeReady()
    {
        EnsureValidName();
        return store.PurgeReadyAsync(_name);
    }

    public Task<long> PurgeRejected()
    {
        EnsureValidName();
        return store.PurgeRejectedAsync(_name);
    }

    public Task<long> ReturnRejected(long max)
    {
        EnsureValidName();
        CheckMax(max, nameof(max));
        return store.ReturnRejectedAsync(_name, max);
    }

    public Task<long> ReturnUnacked(long max)
    {
        EnsureValidName();
        CheckMax(max, nameof(max));
        return store.ReturnUnackedOfDeadConnectionsAsync(_name, max);
    }

    public async Task<QueueDestroyResult> Destroy()
    {
        EnsureValidName();
        await StopConsuming();
        var ready = await store.PurgeReadyAsync(_name);
        var rejected = await store.PurgeRejectedAsync(_name);
        // Recurring jobs before the scheduled set that holds their pending occurrences: a job still defined
        // after the purge could schedule its next occurrence again.
        var recurringJobs = await store.PurgeRecurringAsync(_name);
        // Deleted before unlisting: a scheduled delivery must not turn up later in a destroyed queue's ready.
        var scheduled = await store.PurgeScheduledAsync(_name);
        await store.DeleteCountersAsync(_name);
        await store.UnlistQueueAsync(_name);
        _publishing.Listed = false;
        return new QueueDestroyResult(ready, rejected, scheduled, recurringJobs);
    }

    public async Task<IReadOnlyList<string>> Drain(long count)
    {
        EnsureValidName();
        CheckMax(count, nameof(count));
        var elements = await store.DrainAsync(_name, count);
        // Decoding never throws: every popped element is returned (a faulty header as the raw element).
        return elements.ConvertAll(raw =>
            Encoding.UTF8.GetString(HeaderCodec.TryDecode(raw, out _, out var payload, out _) ? payload : raw));
    }

    public Task<long> Remove(string payload, long count, bool removeFromRejected)
    {
        EnsureValidName();
        ArgumentNullException.ThrowIfNull(payload);
        return store.RemoveAsync(_name, Encoding.UTF8.GetBytes(payload), count, removeFromRejected);
    }

    public async Task<QueueStats> GetStats()
    {
        EnsureValidName();
        var stats = await store.GetStatsAsync(_name);
        return stats with { Consuming = _engine?.Status ?? ConsumingStatus.NotConsuming };
    }

    public Task<ConsumingStatus> GetConsumingStatus()
    {
        EnsureValidName();
        return Task.FromResult(_engine?.Status ?? ConsumingStatus.NotConsuming);
    }

    public Task<string?> GetConnectionName()
    {
        EnsureValidName();
        return Task.FromResult(_engine?.Connection);
    }

    private static void CheckMax(long value, string parameter)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(parameter, value, $"{parameter} must not be negative, but it is {value}.");
    }
}
