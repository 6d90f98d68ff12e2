using Rmq.FlowControl;

namespace Rmq.Queue;

/// <summary>Flow limits: persisted by the store, kept in force by the consuming engine's dispatcher (FlowControl/FlowGate.cs).</summary>
internal sealed partial class QueueGrain
{
    /// <summary>One per activation: an engine started again (new settings, a consumer removed, Stop then Start) keeps counting the same window.</summary>
    private readonly FlowGate _flowGate = new();

    public async Task SetFlowLimits(FlowLimits? limits)
    {
        EnsureValidName();
        limits?.Validate();
        if (limits is { IsEmpty: true }) limits = null;
        await ExclusiveAsync(async () =>
        {
            // Persisted first: if Redis is unreachable the caller learns it and nothing changes.
            await store.SaveFlowLimitsAsync(_name, limits);
            UseFlowLimits(limits);
        });
    }

    /// <summary>Puts <paramref name="limits"/> in force: the gate holds them (an engine started later shares it), the engine is woken.</summary>
    private void UseFlowLimits(FlowLimits? limits)
    {
        if (_engine is { } engine) engine.FlowLimits = limits;
        else _flowGate.Set(limits);
    }

    public Task<FlowLimits?> GetFlowLimits()
    {
        EnsureValidName();
        return store.LoadFlowLimitsAsync(_name);
    }
}
