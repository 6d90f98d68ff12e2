namespace Rmq.Host.Tests.Infrastructure;

/// <summary>
/// The least-privileged Redis ACL user Rmq runs as, exactly as docs/security.md documents it:
/// Rmq's keys, its wake channels, Orleans' Redis membership, and only the commands Rmq and
/// StackExchange.Redis send.
/// </summary>
public static class RmqAclUser
{
    /// <summary>
    /// The rules after <c>ACL SETUSER rmq on &gt;password</c>. Keys: <c>rmq::*</c> (the queues),
    /// <c>rmq/members/*</c> (Orleans' membership with <c>Silo:Clustering=Redis</c>; ServiceId <c>rmq</c>),
    /// read-only <c>__Booksleeve_TieBreak</c> (StackExchange.Redis's tie-breaker). Channels: <c>rmq::*</c>
    /// (wakes), <c>__Booksleeve_MasterChanged</c> (StackExchange.Redis's). <c>CONFIG</c> is left out on
    /// purpose: StackExchange.Redis asks <c>CONFIG GET</c> at connect and carries on when refused, and it
    /// would reveal the server's settings, passwords included.
    /// </summary>
    public const string Rules =
        "~rmq::* ~rmq/members/* %R~__Booksleeve_TieBreak &rmq::* &__Booksleeve_MasterChanged " +
        "-@all +hello +auth +client|id +client|setname +echo +info +ping +quit +select +cluster|nodes +cluster|slots +acl|whoami " +
        "+subscribe +unsubscribe +ssubscribe +sunsubscribe +publish +spublish +eval +evalsha +script|load " +
        "+exists +type +del +unlink +get +set +setex +pttl +scan " +
        "+llen +lpush +rpush +lrange +lrem +ltrim +rpop +rpoplpush " +
        "+sadd +srem +smembers +sismember +scard +hget +hmget +hgetall +hset +hsetnx +hmset +hdel +hexists +hincrby " +
        "+zadd +zrem +zrange +zrangebyscore +zcard +zscore +hlen +time";

    /// <summary>The line of docs/security.md: <c>ACL SETUSER rmq on &gt;secret</c> and <see cref="Rules"/>.</summary>
    public const string DocumentedLine = "ACL SETUSER rmq on >secret " + Rules;

    /// <summary>Creates (or resets) the user <paramref name="name"/> with <paramref name="password"/> and exactly <see cref="Rules"/>.</summary>
    public static async Task CreateAsync(IDatabase admin, string name, string password)
    {
        object[] args = ["SETUSER", name, "reset", "on", ">" + password, .. Rules.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        await admin.ExecuteAsync("ACL", args);
    }
}
