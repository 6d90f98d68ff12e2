namespace Rmq;

/// <summary>
/// A queue, addressed by its name: <c>client.GetGrain&lt;IQueueGrain&gt;("tasks")</c>.
/// Redis is the system of record, in Go rmq's key layout, so Go rmq programs can share the queue.
/// </summary>
/// <remarks>
/// Publishing through the grain costs an Orleans round trip (client → gateway → the queue's silo) before
/// the <c>LPUSH</c>. Producers that publish one message at a time should use the client library's
/// <c>RmqPublisher</c>, which publishes straight to Redis (the same elements, checks and errors) and
/// wakes consuming queues through Redis pub/sub.
/// Queue names are 1 to <see cref="QueueNames.MaxLength"/> characters and must not contain
/// <c>[</c>, <c>]</c>, <c>{</c> or <c>}</c> (they are Redis hash tags in rmq's key layout), control
/// characters or unpaired surrogates.
/// Every method of a grain with an invalid name throws an <see cref="ArgumentException"/>.
/// </remarks>
public interface IQueueGrain : IGrainWithStringKey
{
    /// <summary>
    /// Publishes one message as its <see cref="RmqMessage.Options"/> say: to the back of ready (one
    /// <c>LPUSH</c>), delayed or at a due time (into <c>rmq::queue::[q]::rmq-scheduled</c>, moved to ready
    /// when due by the queue's scheduler or the cleaner, whether or not anything consumes the queue), and
    /// optionally deduplicated by a key within a window (one atomic script with the write). The same as
    /// <see cref="IRmqProducer.Publish"/> (use <c>AsProducer()</c> for that interface), and the same
    /// elements, scripts and errors as the client library's direct publisher.
    /// </summary>
    /// <exception cref="ArgumentException">The message is null, its payload is over the limit, or an option is out of range; Redis is not touched.</exception>
    Task<PublishResult> Publish(RmqMessage message);

    /// <summary>
    /// Publishes several messages; one result per message, in order (see <see cref="IRmqProducer.PublishBatch"/>).
    /// </summary>
    Task<IReadOnlyList<PublishResult>> PublishBatch(IReadOnlyList<RmqMessage> messages);

    /// <summary>Adds one payload (UTF-8) to the back of the queue: <c>LPUSH ready</c> (Go rmq's <c>Publish</c>).</summary>
    Task Publish(string payload);

    /// <summary>Adds one payload of raw bytes to the back of the queue (Go rmq's <c>PublishBytes</c>).</summary>
    Task PublishBytes(byte[] payload);

    /// <summary>
    /// Adds several payloads with one <c>LPUSH</c>; they are consumed in list order.
    /// An empty list publishes nothing.
    /// </summary>
    Task PublishBatch(IReadOnlyList<string> payloads);

    /// <summary>Adds several binary payloads with one <c>LPUSH</c>; they are consumed in list order. An empty list publishes nothing.</summary>
    Task PublishBytesBatch(IReadOnlyList<byte[]> payloads);

    /// <summary>
    /// Cancels a delayed or scheduled delivery that is not yet due. Returns true when it removed it;
    /// false for an id that is unknown, already cancelled, or already moved to ready (then it is a plain
    /// delivery, no longer scheduled).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is null, empty or longer than <see cref="Scheduling.MaxIdLength"/>.</exception>
    Task<bool> CancelScheduled(string id);

    /// <summary>
    /// Creates (or, with a name already in use, replaces) the recurring job <paramref name="name"/>: from now
    /// on <paramref name="payload"/> (UTF-8) is published to this queue at every occurrence of
    /// <paramref name="schedule"/> — a cron expression in a time zone, or a fixed interval. Each occurrence
    /// waits in the queue's scheduled set (id <c>rec:&lt;name&gt;:&lt;unix ms&gt;</c>) and reaches ready
    /// through it, so it is published once cluster-wide, whichever silos run, and carries the rmq headers
    /// <c>rmq-recurring</c> (the name) and <c>rmq-occurrence</c> (its time). Replacing a job drops its pending
    /// occurrence; an interval job is anchored anew. Returns the job as <see cref="ListRecurring"/> shows it.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="name"/> is not 1 to <see cref="RecurringJob.MaxNameLength"/> letters, digits, '.', '_' or '-';
    /// the cron expression is not valid or never fires; the time zone is unknown; the interval is under
    /// <see cref="RecurringJob.MinInterval"/>; the payload is null or over the payload limit. Redis is not touched.
    /// </exception>
    Task<RecurringJobInfo> ScheduleRecurring(string name, RecurringSchedule schedule, string payload);

    /// <summary>A recurring job with a binary payload, as <see cref="ScheduleRecurring"/>.</summary>
    Task<RecurringJobInfo> ScheduleRecurringBytes(string name, RecurringSchedule schedule, byte[] payload);

    /// <summary>A recurring job whose occurrences carry <paramref name="headers"/> too (besides Rmq's own two), as <see cref="ScheduleRecurring"/>.</summary>
    Task<RecurringJobInfo> ScheduleRecurringWithHeaders(string name, RecurringSchedule schedule, string payload, IReadOnlyDictionary<string, string[]> headers);

    /// <summary>
    /// Removes a recurring job: its definition, its state and its pending occurrence (occurrences already in
    /// ready stay there). Returns false when the queue has no job of that name.
    /// </summary>
    Task<bool> RemoveRecurring(string name);

    /// <summary>The queue's recurring jobs, sorted by name, each with its next occurrence and the last one published.</summary>
    Task<IReadOnlyList<RecurringJobInfo>> ListRecurring();

    /// <summary>
    /// Starts consuming: at most <paramref name="prefetchLimit"/> deliveries are taken from
    /// <c>ready</c> into this queue's unacked list at a time. <paramref name="pollInterval"/> is how
    /// long the queue waits before looking again after it found <c>ready</c> empty (publishes through
    /// this grain wake it at once). The configuration is kept in Redis, so the queue resumes consuming
    /// after a restart. Calling it again with the same settings does nothing; with other settings it
    /// changes them, as <see cref="UpdateConsuming"/> does (start-up code that calls this on every boot can
    /// change its settings from one release to the next).
    /// A paused queue stays paused (start-up code calling this on every boot must not undo a
    /// <see cref="Pause"/>); a queue that was stopped starts unpaused.
    /// </summary>
    Task StartConsuming(int prefetchLimit, TimeSpan pollInterval);

    /// <summary>
    /// Registers a consumer grain; each consumer has at most one delivery in flight. Returns the
    /// consumer's name, <c>&lt;tag&gt;-&lt;6 alphanumerics&gt;</c>. Registering the same grain again
    /// returns its existing name. Requires <see cref="StartConsuming"/>.
    /// </summary>
    Task<string> AddConsumer(string tag, IConsumerGrain consumer);

    /// <summary>
    /// Registers a batch consumer: it receives at most <paramref name="batchSize"/> deliveries at a
    /// time, and a partial batch once <paramref name="batchTimeout"/> has passed since the batch
    /// started to fill. Requires <see cref="StartConsuming"/>.
    /// </summary>
    Task<string> AddBatchConsumer(string tag, IBatchConsumerGrain consumer, int batchSize, TimeSpan batchTimeout);

    /// <summary>
    /// Registers a consumer whose jobs may run longer than a grain call (<see cref="ILongRunningConsumerGrain"/>):
    /// one job at a time, its lease kept by its silo, bounded by its maximum run time — <paramref name="limits"/>, or
    /// the silo's <c>Rmq:JobLease</c> and <c>Rmq:JobMaxRunTime</c>. Returns its name as <see cref="AddConsumer"/>
    /// does (the same grain registered again keeps its registration). Requires <see cref="StartConsuming"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range; nothing was registered.</exception>
    Task<string> AddLongRunningConsumer(string tag, ILongRunningConsumerGrain consumer, JobLimits? limits = null);

    /// <summary>The long-running jobs in flight on this queue, with their consumer, attempt, age and progress (from memory).</summary>
    Task<IReadOnlyList<JobInFlight>> GetJobsInFlight();

    /// <summary>
    /// Asks the long-running job running delivery <paramref name="deliveryId"/> (<see cref="JobInFlight.DeliveryId"/>)
    /// to stop: its token fires within a second; if it stops, the delivery goes to rejected with
    /// <c>rmq-reason: cancelled</c>; if it finishes anyway, its outcome stands. Returns false when no job in flight
    /// has that id (it ended, or it is not a long-running job).
    /// </summary>
    Task<bool> CancelInFlight(long deliveryId);

    /// <summary>
    /// Changes the prefetch limit and poll interval of a consuming queue, persisted for every later
    /// activation. The engine restarts with them: consumer calls in flight finish and their outcomes are
    /// applied, prefetched deliveries go back to the front of ready, then consuming goes on with the same
    /// consumers (and a pause holds) — nothing is lost or delivered twice. The same settings do nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">The queue is not consuming: call <see cref="StartConsuming"/> first.</exception>
    Task UpdateConsuming(int prefetchLimit, TimeSpan pollInterval);

    /// <summary>
    /// Removes the consumer registered as <paramref name="name"/> (as <see cref="AddConsumer"/> or
    /// <see cref="AddBatchConsumer"/> returned it): its delivery in flight finishes and its outcome is
    /// applied, prefetched deliveries go back to the front of ready, and the other consumers go on. The
    /// registration is removed from Redis too, so no later activation restores it. Returns false when the
    /// queue has no consumer of that name.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue is not consuming: call <see cref="StartConsuming"/> first.</exception>
    Task<bool> RemoveConsumer(string name);

    /// <summary>
    /// Makes the queue's consuming state what <paramref name="declaration"/> says, in one step under the
    /// queue's lifecycle gate: starts consuming if it is not; changes the prefetch limit and poll interval
    /// (restarting the engine as <see cref="UpdateConsuming"/> does), the push queue and the retry policy;
    /// registers the declared consumers that are not registered and removes the registrations that are
    /// not declared. A pause holds. Called by the silo for each queue declared with <c>AddRmqQueue</c>.
    /// A declaration whose <see cref="QueueDeclaration.Version"/> is lower than the one in force is not
    /// applied (<see cref="DeclarationOutcome.Superseded"/>): during a rolling deploy the newer release wins,
    /// whichever silo starts last.
    /// </summary>
    /// <exception cref="ArgumentException">A setting or consumer of the declaration is invalid; nothing was changed.</exception>
    Task<DeclarationOutcome> Declare(QueueDeclaration declaration);

    /// <summary>
    /// Stops consuming: fetching stops, in-flight consumer calls are awaited and their outcomes
    /// applied, and prefetched deliveries that no consumer received go back to the front of
    /// <c>ready</c>. Consumer registrations end, and so does a <see cref="Pause"/>;
    /// <see cref="StartConsuming"/> may be called again.
    /// </summary>
    Task StopConsuming();

    /// <summary>
    /// Pauses consuming: nothing more is fetched or handed to consumers; consumer calls in flight finish
    /// and their outcomes are applied; prefetched deliveries that no consumer received go back to the
    /// front of <c>ready</c> (they are next, in their order). The rmq connection stays registered with its
    /// heartbeat, and the consumers stay registered. Persisted with the consuming configuration, so the
    /// queue stays paused across re-activations, silo deaths and restarts, until <see cref="Resume"/> or
    /// <see cref="StopConsuming"/>; <see cref="StartConsuming"/> does not resume it. Returns once the pause
    /// is persisted and the engine has stopped handing out (calls in flight may still be running:
    /// <see cref="ConsumingStatus.InFlight"/>). Pausing a paused queue does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue is not consuming: call <see cref="StartConsuming"/> first.</exception>
    Task Pause();

    /// <summary>
    /// Resumes a paused queue: fetching and dispatching carry on with the same connection and consumers.
    /// Resuming a queue that is not paused does nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The queue is not consuming: call <see cref="StartConsuming"/> first.</exception>
    Task Resume();

    /// <summary>
    /// Sets the queue's retry policy, persisted in Redis (Rmq-only key) and applied by every later
    /// activation, on any silo; <c>null</c> removes it. With a policy, <see cref="DeliveryOutcome.Retry"/>, a
    /// consumer that throws and a call that times out schedule the delivery again after the policy's
    /// backoff (its <c>rmq-attempt</c> header one higher), until the last attempt sends it to rejected with
    /// <see cref="DeadLetterHeaders"/> saying why. Without one, outcomes are Go rmq's: a throw pushes
    /// (rejects when no push queue is set), and Retry does the same.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A field of <paramref name="policy"/> is out of range (see <see cref="RetryPolicy.Validate"/>); nothing was changed.</exception>
    Task SetRetryPolicy(RetryPolicy? policy);

    /// <summary>
    /// Makes the queue's scheduler look at its scheduled deliveries and recurring jobs now if it is not
    /// already waiting for one (it stops when it last found nothing). Deliveries scheduled by another
    /// process — the client library's direct publisher, a Go service — do not arm it; the cleaner calls
    /// this each pass for every queue with something scheduled. Cheap and idempotent.
    /// </summary>
    Task WakeScheduler();

    /// <summary>The queue's retry policy, or <c>null</c> when it has none.</summary>
    Task<RetryPolicy?> GetRetryPolicy();

    /// <summary>
    /// Sets (or, with null or no limit set, removes) the queue's flow limits: at most <see cref="RateLimit.Count"/>
    /// deliveries handed out per window of <see cref="RateLimit.Per"/>, and at most <see cref="FlowLimits.MaxConcurrency"/>
    /// inside consumer calls at once — across every consumer on every silo. Persisted first, then in force from the next
    /// hand-out; kept by StopConsuming, and by every later activation. Deliveries held back wait in the queue's prefetch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range (see <see cref="FlowLimits.Validate"/>); nothing was changed.</exception>
    Task SetFlowLimits(FlowLimits? limits);

    /// <summary>The queue's flow limits, or <c>null</c> when it has none.</summary>
    Task<FlowLimits?> GetFlowLimits();

    /// <summary>
    /// Names the grain called once (at least once) for each delivery Rmq moves to rejected by itself — retries
    /// exhausted, consumer timeouts, the maximum run time, a permanent failure, an operator's cancel
    /// (<see cref="IDeadLetterHandlerGrain"/>). <c>null</c> removes it, with the dead letters it has not been called for
    /// yet (they stay in rejected). Persisted first; kept by StopConsuming and by every later activation.
    /// </summary>
    Task SetDeadLetterHandler(IDeadLetterHandlerGrain? handler);

    /// <summary>The queue's dead-letter handler, or <c>null</c> when it has none.</summary>
    Task<IDeadLetterHandlerGrain?> GetDeadLetterHandler();

    /// <summary>
    /// Sets the queue that <see cref="DeliveryOutcome.Push"/> moves deliveries to (its <c>ready</c>
    /// list). <c>null</c> clears it; without a push queue, Push behaves as Reject.
    /// </summary>
    Task SetPushQueue(string pushQueueName);

    /// <summary>Deletes every ready delivery; returns how many there were.</summary>
    Task<long> PurgeReady();

    /// <summary>Deletes every rejected delivery; returns how many there were.</summary>
    Task<long> PurgeRejected();

    /// <summary>Moves up to <paramref name="max"/> rejected deliveries (oldest rejection first) to the back of ready.</summary>
    Task<long> ReturnRejected(long max);

    /// <summary>
    /// Moves up to <paramref name="max"/> deliveries from the unacked lists of this queue's dead
    /// connections (heartbeat expired; Go rmq's included) to the back of ready. Live connections are
    /// never touched: their consumers hold those deliveries. The cleaner does this for every queue.
    /// </summary>
    Task<long> ReturnUnacked(long max);

    /// <summary>Stops consuming, deletes ready, rejected, scheduled deliveries and recurring jobs, and unlists the queue; returns what was deleted.</summary>
    Task<QueueDestroyResult> Destroy();

    /// <summary>
    /// Removes up to <paramref name="count"/> deliveries from the front of ready and returns their
    /// payloads (headers stripped); fewer when the queue runs empty. Drained deliveries are gone.
    /// </summary>
    Task<IReadOnlyList<string>> Drain(long count);

    /// <summary>
    /// Removes deliveries whose stored element equals <paramref name="payload"/> from ready (and from
    /// rejected when asked), with Redis <c>LREM</c> count semantics: &gt;0 from the newest end, &lt;0 from
    /// the oldest end, 0 all. Returns how many were removed. Scans the lists: O(N).
    /// </summary>
    Task<long> Remove(string payload, long count, bool removeFromRejected);

    /// <summary>
    /// Counts of this queue, read from Redis (Go rmq's connections are counted too), and what its
    /// consuming engine is doing (<see cref="QueueStats.Consuming"/>: state, stalled or not).
    /// </summary>
    Task<QueueStats> GetStats();

    /// <summary>
    /// What this queue's consuming engine is doing, from memory (no Redis read): its state, its
    /// connection, and whether it is stalled — has work but made no progress for <c>Rmq:StallTimeout</c>.
    /// </summary>
    Task<ConsumingStatus> GetConsumingStatus();

    /// <summary>The rmq connection name of this queue grain while it consumes, else <c>null</c>.</summary>
    Task<string?> GetConnectionName();
}
