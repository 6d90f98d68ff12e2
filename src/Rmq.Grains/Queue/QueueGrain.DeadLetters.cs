using Rmq.DeadLetters;

namespace Rmq.Queue;

/// <summary>The dead-letter handler: persisted by the store, called by a <see cref="DeadLetterNotifier"/> this grain owns (DeadLetters/).</summary>
internal sealed partial class QueueGrain
{
    private GrainId? _deadLetterHandler;
    private DeadLetterNotifier? _notifier;

    public async Task SetDeadLetterHandler(IDeadLetterHandlerGrain? handler)
    {
        EnsureValidName();
        await ExclusiveAsync(async () =>
        {
            var id = handler?.GetGrainId();
            if (id is null)
            {
                // Removed: no more notices written nor handled before the ones left are deleted, so none comes back.
                var previous = _deadLetterHandler;
                await UseDeadLetterHandlerAsync(null);
                try
                {
                    await store.SaveDeadLetterHandlerAsync(_name, null);
                }
                catch
                {
                    await UseDeadLetterHandlerAsync(previous);
                    throw;
                }
                return;
            }
            // Persisted first: if Redis is unreachable the caller learns it and nothing changes.
            await store.SaveDeadLetterHandlerAsync(_name, id);
            await UseDeadLetterHandlerAsync(id);
        });
    }

    public async Task<IDeadLetterHandlerGrain?> GetDeadLetterHandler()
    {
        EnsureValidName();
        return await store.LoadDeadLetterHandlerAsync(_name) is { } id ? GrainFactory.GetGrain<IDeadLetterHandlerGrain>(id) : null;
    }

    /// <summary>Makes <paramref name="id"/> the handler in force: the engine writes notices for it, and a notifier calls it.</summary>
    private async Task UseDeadLetterHandlerAsync(GrainId? id)
    {
        if (id == _deadLetterHandler && (id is null || _notifier is not null)) return;
        if (_notifier is { } old)
        {
            _notifier = null;
            await old.StopAsync();
        }
        _deadLetterHandler = id;
        if (_engine is { } engine) engine.DeadLetterHandler = id;
        if (id is { } handler && !_deactivating)
        {
            _notifier = new DeadLetterNotifier(_name, store, GrainFactory.GetGrain<IDeadLetterHandlerGrain>(handler), logger);
            _notifier.Start();
        }
    }

    /// <summary>Deactivation: a handler call under way is not waited for; its notice stays for the next activation.</summary>
    private async Task StopNotifierAsync()
    {
        if (_notifier is not { } notifier) return;
        _notifier = null;
        await notifier.StopAsync();
    }
}
