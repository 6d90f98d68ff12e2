using StackExchange.Redis;

namespace Rmq.Redis.Publishing;

/// <summary>
/// How an <see cref="RmqMessage"/> is published, the same on both paths: which command or script each
/// message takes, how a batch is grouped, and what each one answers. The paths differ only in their
/// <see cref="IPublishTarget"/>.
/// </summary>
internal static class MessagePublishing
{
    /// <summary>Publishes one message; see <see cref="IRmqProducer.Publish"/>.</summary>
    public static async Task<PublishResult> PublishAsync(IPublishTarget target, RmqMessage message, long limit)
    {
        var encoded = EncodedMessage.From(message, limit, index: null);
        return await PublishOneAsync(target, encoded).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a batch; see <see cref="IRmqProducer.PublishBatch"/>. Every message is checked before
    /// anything is written. The plain ones are one <c>LPUSH</c> (list order kept); plain scheduled ones that
    /// share a schedule are one script, with ids that keep their order; deduplicated ones go one by one.
    /// The groups are sent together (pipelined); if one fails, the others may have been written.
    /// </summary>
    public static async Task<IReadOnlyList<PublishResult>> PublishBatchAsync(IPublishTarget target, IReadOnlyList<RmqMessage> messages, long limit)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) return [];
        var encoded = new EncodedMessage[messages.Count];
        for (var i = 0; i < encoded.Length; i++)
        {
            try
            {
                encoded[i] = EncodedMessage.From(messages[i], limit, i);
            }
            catch (ArgumentException e) when (e.ParamName is not { } name || !name.StartsWith("messages[", StringComparison.Ordinal))
            {
                throw new ArgumentException($"messages[{i}]: {e.Message} (nothing of the batch was published)", nameof(messages), e);
            }
        }

        var results = new PublishResult[encoded.Length];
        var work = new List<Task>();
        var plain = new List<int>();
        var schedules = new Dictionary<(bool IsDelay, long Milliseconds), List<int>>();
        for (var i = 0; i < encoded.Length; i++)
        {
            var e = encoded[i];
            if (e.DedupKey is not null) work.Add(PublishUniqueAt(target, e, results, i));
            else if (!e.IsScheduled) plain.Add(i);
            else
            {
                if (!schedules.TryGetValue((e.IsDelay, e.Milliseconds), out var group)) schedules[(e.IsDelay, e.Milliseconds)] = group = [];
                group.Add(i);
            }
        }
        if (plain.Count > 0) work.Add(PushPlainAsync(target, encoded, plain, results));
        foreach (var ((isDelay, milliseconds), group) in schedules) work.Add(ScheduleGroupAsync(target, encoded, group, isDelay, milliseconds, results));
        await Task.WhenAll(work).ConfigureAwait(false);
        return results;
    }

    private static async Task PublishUniqueAt(IPublishTarget target, EncodedMessage encoded, PublishResult[] results, int index) =>
        results[index] = await PublishOneAsync(target, encoded).ConfigureAwait(false);

    private static async Task<PublishResult> PublishOneAsync(IPublishTarget target, EncodedMessage e)
    {
        if (!e.IsScheduled)
        {
            if (e.DedupKey is null)
            {
                await target.PushAsync([e.Element]).ConfigureAwait(false);
                return PublishResult.Published;
            }
            return await target.PushUniqueAsync(e.DedupKey, e.DedupWindow, e.Element).ConfigureAwait(false)
                ? PublishResult.Published
                : PublishResult.Deduplicated;
        }
        var id = ScheduleCommands.NewId();
        if (e.DedupKey is null)
            return await target.ScheduleAsync(e.IsDelay, e.Milliseconds, [id], [e.Element]).ConfigureAwait(false)
                ? PublishResult.Published
                : PublishResult.Scheduled(id);
        return await target.ScheduleUniqueAsync(e.DedupKey, e.DedupWindow, e.IsDelay, e.Milliseconds, id, e.Element).ConfigureAwait(false) switch
        {
            ScheduleCommands.Deduplicated => PublishResult.Deduplicated,
            0 => PublishResult.Published,
            _ => PublishResult.Scheduled(id),
        };
    }

    private static async Task PushPlainAsync(IPublishTarget target, EncodedMessage[] encoded, List<int> indexes, PublishResult[] results)
    {
        var elements = new RedisValue[indexes.Count];
        for (var i = 0; i < elements.Length; i++) elements[i] = encoded[indexes[i]].Element;
        await target.PushAsync(elements).ConfigureAwait(false);
        foreach (var i in indexes) results[i] = PublishResult.Published;
    }

    private static async Task ScheduleGroupAsync(IPublishTarget target, EncodedMessage[] encoded, List<int> indexes, bool isDelay, long milliseconds, PublishResult[] results)
    {
        var ids = ScheduleCommands.NewIds(indexes.Count);
        var elements = new RedisValue[indexes.Count];
        for (var i = 0; i < elements.Length; i++) elements[i] = encoded[indexes[i]].Element;
        var atOnce = await target.ScheduleAsync(isDelay, milliseconds, ids, elements).ConfigureAwait(false);
        for (var i = 0; i < indexes.Count; i++) results[indexes[i]] = atOnce ? PublishResult.Published : PublishResult.Scheduled(ids[i]);
    }
}
