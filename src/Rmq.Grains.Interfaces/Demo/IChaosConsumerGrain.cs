namespace Rmq.Demo;

/// <summary>
/// The chaos program's consumer (<c>bench/Rmq.Chaos</c>), hosted by every Rmq silo. Each delivery's
/// payload says what to do with it (<see cref="ChaosPayload"/>): ack, ack slowly, reject, push or throw. Every outcome it returns is first recorded in the Redis list
/// <c>&lt;records&gt;:&lt;queue&gt;</c>, <c>records</c> taken from the grain's key extension, so that the
/// chaos program can count what was consumed, where and when.
/// </summary>
/// <remarks>
/// Key: <c>GetGrain&lt;IChaosConsumerGrain&gt;(n, "records|source")</c> for a queue whose deliveries
/// come from publishers, <c>"records|target"</c> for the queue they are pushed to.
/// </remarks>
public interface IChaosConsumerGrain : IConsumerGrain, IGrainWithIntegerCompoundKey;

/// <summary>
/// The chaos program's long-running consumer: each job works 10–30 s (by its id), stops when its token fires (its
/// delivery then goes back to ready, or is handed out again after its lease), then records its Ack as
/// <see cref="IChaosConsumerGrain"/> does, with the same key.
/// </summary>
public interface IChaosJobGrain : ILongRunningConsumerGrain, IGrainWithIntegerCompoundKey;
