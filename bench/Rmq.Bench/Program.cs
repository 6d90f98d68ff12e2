using System.CommandLine;
using System.CommandLine.Parsing;
using Rmq.Bench;

// The harness of issue 5: `dotnet run -c Release --project bench/Rmq.Bench -- [options]`.
// Every option is described in bench/README.md; `-- --help` lists them.

var scenarios = new Option<string>("--scenarios")
{
    Description = $"Comma-separated subset of: {BenchSettings.AllScenarios} (the default), and the opt-in {BenchSettings.OptInScenarios}. The rmq-style baseline runs beside Rmq in publish, e2e and latency.",
    DefaultValueFactory = _ => BenchSettings.AllScenarios,
};
var repetitions = Positive("--repetitions", 3, "Repetitions per figure; each figure is their median (use at least 3 for figures you quote).");
var payloadBytes = Positive("--payload-bytes", 100, "Size of every payload.");
var ceilingOps = Positive("--ceiling-ops", 100_000, "Commands per ceiling measurement (LPUSH, LMOVE, LREM each).");
var pipeline = Positive("--pipeline-window", 1000, "Ceiling: commands issued together before awaiting them together.");
var publishMessages = Positive("--publish-messages", 10_000, "Messages per repetition when publishing one at a time.");
var publishers = PositiveList("--publishers", [1, 10, 100], "Publisher counts for one-at-a-time publishing through the direct publisher (RmqPublisher).");
var grainPublishers = PositiveList("--grain-publishers", [1, 10], "Publisher counts for one-at-a-time publishing through IQueueGrain.Publish (the Orleans path), for comparison.");
var batchPublishMessages = Positive("--batch-publish-messages", 200_000, "Messages per repetition for PublishBatch.");
var publishBatchSizes = PositiveList("--publish-batch-sizes", [100, 1000], "PublishBatch sizes.");
var messages = Positive("--messages", 50_000, "Messages per end-to-end repetition.");
var e2ePublishBatch = Positive("--e2e-publish-batch", 1000, "End to end, batch rows: the publisher publishes in batches of this size (both sides).");
var e2ePublishers = PositiveList("--e2e-publishers", [1, 10], "End to end, one-at-a-time rows: concurrent publishers, each publishing one message per call.");
var e2eSingleMessages = Positive("--e2e-single-messages", 30_000, "Messages per one-at-a-time end-to-end repetition.");
var e2eSingleConsumers = Positive("--e2e-single-consumers", 10, "Consumers in the one-at-a-time end-to-end rows.");
var consumers = PositiveList("--consumers", [1, 10], "End to end: consumer counts.");
var batchConsumers = new Option<int>("--batch-consumers")
{
    Description = "End to end: how many batch consumers (0 skips the figure).",
    DefaultValueFactory = _ => 1,
};
var batchSize = Positive("--batch-size", 100, "End to end: batch consumers' batch size.");
var prefetch = Positive("--prefetch", 1000, "Prefetch limit of Rmq and of the baseline.");
var pollMs = Positive("--poll-ms", 10, "Poll interval of Rmq and of the baseline, in milliseconds.");
var latencyRates = PositiveList("--latency-rates", [1000, 10_000], "Latency: publishes per second, one figure set per rate.");
var latencySeconds = Positive("--latency-seconds", 3, "Latency: seconds per repetition.");
var latencyConsumers = Positive("--latency-consumers", 10, "Latency: consumers (both sides).");
var idleSeconds = Positive("--idle-seconds", 5, "Idle: seconds CPU is read per repetition while a consuming queue (--latency-consumers consumers) has nothing to do.");
var memoryQueues = Positive("--memory-queues", 1000, "Memory: queues, each with one consumer.");
var memoryReady = Positive("--memory-ready", 1000, "Memory: deliveries published to each queue.");
var bigQueueReady = Positive("--big-queue-ready", 10_000_000, "Big queue (opt-in scenario bigqueue): deliveries in the one queue's ready list.");
var scheduledRate = Positive("--scheduled-rate", 1000, "Scheduled precision: deliveries falling due per second.");
var scheduledSeconds = Positive("--scheduled-seconds", 10, "Scheduled precision: seconds during which deliveries fall due, per run.");
var bigScheduled = Positive("--big-scheduled", 1_000_000, "Big scheduled (opt-in scenario bigscheduled): deliveries scheduled far in the future on one queue.");
var timeout = Positive("--run-timeout", 120, "Seconds any one run may take before the whole benchmark is aborted.");
var noWarmup = new Option<bool>("--no-warmup") { Description = "Skip the unrecorded warm-up runs." };
var publisherProcess = new Option<bool>("--publisher-process")
{
    Description = "End to end, one-at-a-time rows: the publishers run in a process of their own (both sides), as real producers do.",
};
var allocationProfile = new Option<bool>("--allocation-profile")
{
    Description = "End to end: sum the runtime's sampled allocation events by type over each measured run and print the types that allocate most, per row and side (costs a little CPU; never a default run).",
};
var commandProfile = new Option<bool>("--command-profile")
{
    Description = "End to end: read the server's per-command counters (INFO commandstats) before and after each measured run and print the calls and microseconds of each command per delivered message, per row and side (the server's side of the CPU column).",
};
var server = new Option<string>("--server")
{
    Description = "The server under test: redis (redis-server on the PATH) or garnet (the garnet-server dotnet tool, started with --lua --lua-transaction-mode; install it with 'dotnet tool install -g garnet-server --version 2.2.12').",
    DefaultValueFactory = _ => "redis",
};
server.AcceptOnlyFromAmong("redis", "garnet");
var output = new Option<string?>("--output") { Description = "Folder for the results files (default: bench/results/, or bench/results/tmp/ for non-default runs)." };

var root = new RootCommand("Rmq benchmark: Redis ceiling, a Go-rmq-style baseline and Rmq, side by side in one run.");
Option[] tuning =
[
    scenarios, repetitions, payloadBytes, ceilingOps, pipeline, publishMessages, publishers, grainPublishers, batchPublishMessages,
    publishBatchSizes, messages, e2ePublishBatch, e2ePublishers, e2eSingleMessages, e2eSingleConsumers, consumers, batchConsumers, batchSize, prefetch, pollMs, latencyRates,
    latencySeconds, latencyConsumers, idleSeconds, memoryQueues, memoryReady, bigQueueReady, scheduledRate, scheduledSeconds, bigScheduled, timeout, noWarmup, publisherProcess,
    allocationProfile, commandProfile,
];
foreach (var option in tuning) root.Options.Add(option);
root.Options.Add(output);
root.Options.Add(server);
batchConsumers.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 0) r.AddError("--batch-consumers must not be negative.");
});
scenarios.Validators.Add(r =>
{
    var known = BenchSettings.AllScenarios.Split(',').Concat(BenchSettings.OptInScenarios.Split(','));
    var unknown = Split(r.GetValueOrDefault<string>() ?? "").Except(known).ToList();
    if (unknown.Count > 0) r.AddError($"Unknown scenario(s): {string.Join(", ", unknown)}. Choose from {BenchSettings.AllScenarios},{BenchSettings.OptInScenarios}.");
});

root.SetAction(async parse =>
{
    var settings = new BenchSettings
    {
        Scenarios = Split(parse.GetValue(scenarios)!).ToHashSet(),
        Repetitions = parse.GetValue(repetitions),
        PayloadBytes = parse.GetValue(payloadBytes),
        CeilingOps = parse.GetValue(ceilingOps),
        PipelineWindow = parse.GetValue(pipeline),
        PublishMessages = parse.GetValue(publishMessages),
        Publishers = parse.GetValue(publishers)!,
        GrainPublishers = parse.GetValue(grainPublishers)!,
        BatchPublishMessages = parse.GetValue(batchPublishMessages),
        PublishBatchSizes = parse.GetValue(publishBatchSizes)!,
        Messages = parse.GetValue(messages),
        E2ePublishBatch = parse.GetValue(e2ePublishBatch),
        E2ePublishers = parse.GetValue(e2ePublishers)!,
        E2eSingleMessages = parse.GetValue(e2eSingleMessages),
        E2eSingleConsumers = parse.GetValue(e2eSingleConsumers),
        Consumers = parse.GetValue(consumers)!,
        BatchConsumers = parse.GetValue(batchConsumers),
        BatchSize = parse.GetValue(batchSize),
        PrefetchLimit = parse.GetValue(prefetch),
        PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(pollMs)),
        LatencyRates = parse.GetValue(latencyRates)!,
        LatencyDuration = TimeSpan.FromSeconds(parse.GetValue(latencySeconds)),
        LatencyConsumers = parse.GetValue(latencyConsumers),
        IdleDuration = TimeSpan.FromSeconds(parse.GetValue(idleSeconds)),
        MemoryQueues = parse.GetValue(memoryQueues),
        MemoryReady = parse.GetValue(memoryReady),
        BigQueueReady = parse.GetValue(bigQueueReady),
        ScheduledRate = parse.GetValue(scheduledRate),
        ScheduledDuration = TimeSpan.FromSeconds(parse.GetValue(scheduledSeconds)),
        BigScheduled = parse.GetValue(bigScheduled),
        RunTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
        Warmup = !parse.GetValue(noWarmup),
        PublisherProcess = parse.GetValue(publisherProcess),
        AllocationProfile = parse.GetValue(allocationProfile),
        CommandProfile = parse.GetValue(commandProfile),
        Output = parse.GetValue(output),
        Server = parse.GetValue(server)!,
        IsDefaultRun = tuning.All(o => parse.GetResult(o) is null or { Implicit: true }),
    };
    return await new BenchRunner(settings).RunAsync();
});
var workerSide = new Option<string>("--side") { Required = true };
workerSide.AcceptOnlyFromAmong("rmq", "baseline");
var workerRedis = new Option<string>("--redis") { Required = true };
var workerQueue = new Option<string>("--queue") { Required = true };
var workerMessages = new Option<int>("--messages") { Required = true };
var workerPublishers = new Option<int>("--publishers") { Required = true };
var workerBytes = new Option<int>("--payload-bytes") { Required = true };
var worker = new Command("publish-worker", "A publisher process of --publisher-process (started by the benchmark, not by hand).")
{
    workerSide, workerRedis, workerQueue, workerMessages, workerPublishers, workerBytes,
};
worker.SetAction(async parse => await Rmq.Bench.Infrastructure.PublishWorker.RunAsync(parse.GetValue(workerSide)!, parse.GetValue(workerRedis)!,
    parse.GetValue(workerQueue)!, parse.GetValue(workerMessages), parse.GetValue(workerPublishers), parse.GetValue(workerBytes)));
root.Subcommands.Add(worker);
return await root.Parse(args).InvokeAsync();

static IEnumerable<string> Split(string list) =>
    list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant());

static Option<int> Positive(string name, int defaultValue, string description)
{
    var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
    option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() < 1) r.AddError($"{name} must be at least 1.");
    });
    return option;
}

static Option<int[]> PositiveList(string name, int[] defaultValue, string description)
{
    var option = new Option<int[]>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        AllowMultipleArgumentsPerToken = true,
    };
    option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int[]>() is not { Length: > 0 } values || values.Any(v => v < 1))
            r.AddError($"{name} takes one or more numbers, each at least 1.");
    });
    return option;
}
