namespace Rmq.Demo;

/// <summary>
/// The demo's consumer, hosted by every Rmq silo (<c>rmq demo</c> uses it): acks every delivery
/// except payloads starting with <c>bad</c>, which it rejects.
/// </summary>
public interface IDemoConsumerGrain : IConsumerGrain, IGrainWithIntegerKey;

/// <summary>The demo's batch consumer: the same rule as <see cref="IDemoConsumerGrain"/>, a batch at a time.</summary>
public interface IDemoBatchConsumerGrain : IBatchConsumerGrain, IGrainWithIntegerKey;
