using Rmq.Redis.Lua;

namespace Rmq.Redis;

/// <summary>The scripts of the dead-letter notices (<see cref="RedisKeys.DeadLetterNotices"/>); ApplyAndFetch writes them.</summary>
internal static class DeadLetterScripts
{
    /// <summary>
    /// Removes the oldest notice if it is still <c>ARGV[1]</c> (the one the handler was just called for): a notice another
    /// activation already removed is not taken for the next one. KEYS[1] the notices. Returns 1 if removed, else 0.
    /// </summary>
    public static readonly RmqScript RemoveOldestIf = RmqScript.Create("RemoveOldestNotice", allowOom: true, ["list"], """
        if redis.call('LINDEX', KEYS[1], -1) == ARGV[1] then
          redis.call('RPOP', KEYS[1])
          return 1
        end
        return 0
        """);
}
