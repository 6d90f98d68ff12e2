using System.Collections.Concurrent;
using System.Text;
using Aspire.Hosting.ApplicationModel;

namespace Rmq.Aspire.Tests;

/// <summary>
/// Every line each resource instance writes, collected from the start: a replicated resource ("silo") has one
/// instance per replica, each with a resource id of its own, and one log stream each.
/// </summary>
internal sealed class ResourceLogs
{
    private readonly ConcurrentDictionary<string, (string Resource, ConcurrentQueue<string> Lines)> _instances = new();
    private readonly ResourceLoggerService _logger;
    private readonly CancellationToken _ct;

    public ResourceLogs(ResourceLoggerService logger, ResourceNotificationService notifications, CancellationToken ct)
    {
        _logger = logger;
        _ct = ct;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in notifications.WatchAsync(ct))
                    if (_instances.TryAdd(e.ResourceId, (e.Resource.Name, new ConcurrentQueue<string>())))
                        _ = Task.Run(() => FollowAsync(e.ResourceId), ct);
            }
            catch (OperationCanceledException)
            {
            }
        }, ct);
    }

    /// <summary>Waits until <paramref name="replicas"/> instances of <paramref name="resource"/> have written a line containing <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string resource, string text, int replicas, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (InstancesWith(resource, text) < replicas)
        {
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{InstancesWith(resource, text)} of {replicas} instances of {resource} logged \"{text}\" within {timeout.TotalSeconds} s");
            await Task.Delay(100, _ct);
        }
    }

    /// <summary>How many lines of all the instances of <paramref name="resource"/> contain <paramref name="text"/>.</summary>
    public int CountLines(string resource, string text) =>
        _instances.Values.Where(i => i.Resource == resource).Sum(i => i.Lines.Count(l => l.Contains(text, StringComparison.Ordinal)));

    /// <summary>Everything collected, by instance.</summary>
    public string Dump()
    {
        var all = new StringBuilder();
        foreach (var (id, (_, lines)) in _instances.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            all.AppendLine($"===== {id}");
            foreach (var line in lines) all.AppendLine(line);
        }
        return all.ToString();
    }

    private int InstancesWith(string resource, string text) =>
        _instances.Values.Count(i => i.Resource == resource && i.Lines.Any(l => l.Contains(text, StringComparison.Ordinal)));

    private async Task FollowAsync(string resourceId)
    {
        try
        {
            await foreach (var batch in _logger.WatchAsync(resourceId).WithCancellation(_ct))
                foreach (var line in batch)
                    _instances[resourceId].Lines.Enqueue(line.Content);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
