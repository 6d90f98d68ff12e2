namespace Rmq;

/// <summary>
/// One consumer of a <see cref="QueueDeclaration"/>: a consumer grain (or a batch consumer grain when
/// <see cref="BatchSize"/> is positive) with the tag its registration name starts with.
/// </summary>
/// <param name="Tag">The start of its registration name (<c>&lt;tag&gt;-&lt;6 alphanumerics&gt;</c>).</param>
/// <param name="Grain">The grain that consumes: an <see cref="IConsumerGrain"/>, or an <see cref="IBatchConsumerGrain"/> when <paramref name="BatchSize"/> &gt; 0.</param>
/// <param name="BatchSize">0 for a consumer of one delivery at a time; else the batch size.</param>
/// <param name="BatchTimeout">For a batch consumer: how long a partial batch waits to fill.</param>
/// <param name="IsLongRunning">The grain is an <see cref="ILongRunningConsumerGrain"/> (<see cref="BatchSize"/> 0).</param>
/// <param name="Limits">A long-running consumer's own lease and maximum run time, or null for the silo's.</param>
[GenerateSerializer, Immutable]
public sealed record DeclaredConsumer(
    [property: Id(0)] string Tag,
    [property: Id(1)] GrainId Grain,
    [property: Id(2)] int BatchSize,
    [property: Id(3)] TimeSpan BatchTimeout,
    [property: Id(4)] bool IsLongRunning = false,
    [property: Id(5)] JobLimits? Limits = null);
