using StackExchange.Redis;

namespace Rmq.Redis.Publishing;

/// <summary>
/// Where <see cref="MessagePublishing"/> writes: the queue grain's store or the client library's direct
/// publisher. Each method is one Redis command or script for one queue, and each implementation adds what
/// its path must do after it (metrics, waking the consuming engine, arming the scheduler). Arguments are
/// validated and encoded already.
/// </summary>
internal interface IPublishTarget
{
    /// <summary>One <c>LPUSH ready e1 … en</c>: consumed in argument order.</summary>
    Task PushAsync(RedisValue[] elements);

    /// <summary><see cref="PublishCommands.PushUniqueScript"/>; true when it published.</summary>
    Task<bool> PushUniqueAsync(string dedupKey, TimeSpan window, RedisValue element);

    /// <summary><see cref="ScheduleCommands.ScheduleScript"/>; true when the elements went to ready at once.</summary>
    Task<bool> ScheduleAsync(bool isDelay, long milliseconds, string[] ids, RedisValue[] elements);

    /// <summary><see cref="ScheduleCommands.ScheduleUniqueScript"/>: <see cref="ScheduleCommands.Deduplicated"/>, 0 (pushed at once) or the due time in unix ms.</summary>
    Task<long> ScheduleUniqueAsync(string dedupKey, TimeSpan window, bool isDelay, long milliseconds, string id, RedisValue element);
}
