using System.Globalization;
using StackExchange.Redis;

namespace Rmq.Redis;

/// <summary>
/// What declared queues (<c>AddRmqQueue</c>) need besides the consuming configuration: the mark of the
/// declaration in force (its version and fingerprint, a field of <c>rmq-consuming</c>) and removing one
/// consumer registration.
/// </summary>
public sealed partial class RedisQueueStore
{
    private const string DeclaredField = "declared";

    /// <summary>The version and fingerprint of the declaration in force, or null when the queue was never declared.</summary>
    internal Task<(long Version, string Fingerprint)?> LoadDeclaredAsync(string queue) =>
        Run("HGET declared", async db =>
        {
            var value = (string?)await db.HashGetAsync(Keys.ConsumingConfig(queue), DeclaredField).ConfigureAwait(false);
            return value?.Split('|', 2) is [var version, var fingerprint] && long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? (v, fingerprint)
                : ((long, string)?)null;
        });

    /// <summary>
    /// Records the declaration in force. Written last, after the configuration it describes: if the silo
    /// dies before, the next start finds the mark old and applies the declaration again (it is idempotent).
    /// </summary>
    internal Task SaveDeclaredAsync(string queue, long version, string fingerprint) =>
        Run("HSET declared", db => SetHashFieldsAsync(db, Keys.ConsumingConfig(queue),
            new HashEntry(DeclaredField, string.Create(CultureInfo.InvariantCulture, $"{version}|{fingerprint}"))));

    /// <summary>Forgets consumer registrations (<c>HDEL rmq-consumers name…</c>): a re-activation does not restore them.</summary>
    internal Task RemoveConsumersAsync(string queue, IReadOnlyCollection<string> names) =>
        names.Count == 0
            ? Task.CompletedTask
            : Run("HDEL consumer", db => db.HashDeleteAsync(Keys.ConsumerGrains(queue), names.Select(n => (RedisValue)n).ToArray()));
}
