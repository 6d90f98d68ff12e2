using System.CommandLine;
using System.Globalization;
using Rmq.Chaos;

// The chaos program of issue 9: `dotnet run -c Release --project bench/Rmq.Chaos -- [options]`.
// Every option is described in bench/README.md; `-- --help` lists them. Exit code 0: nothing lost and
// every queue drained for every seed; 1 otherwise; 2 for invalid options.

var seeds = new Option<int[]>("--seed", "--seeds")
{
    Description = "One run per seed, each on a fresh Redis and cluster; the same seed replays the same schedule, messages and outcomes.",
    DefaultValueFactory = _ => [1, 2, 3],
    AllowMultipleArgumentsPerToken = true,
};
var duration = new Option<int>("--duration") { Description = "Seconds of faults and publishing per seed.", DefaultValueFactory = _ => 240 };
var messages = new Option<int>("--messages") { Description = "Deliveries published per seed.", DefaultValueFactory = _ => 100_000 };
var faults = new Option<string>("--faults")
{
    Description = $"Comma-separated fault kinds: {FaultKinds.AllNames} (data-loss only on request: it proves the count notices a loss).",
    DefaultValueFactory = _ => FaultKinds.SurvivableNames,
};
var faultCount = new Option<int>("--fault-count") { Description = "Faults per seed; 0: every kind once, then one more per ~10 s of the duration.", DefaultValueFactory = _ => 0 };
var quiesce = new Option<int>("--quiesce-timeout") { Description = "Seconds the queues may take to drain after the last fault before they count as stalled.", DefaultValueFactory = _ => 180 };
var output = new Option<string?>("--output") { Description = "Folder for the report and logs (default: bench/results/ for a default run, bench/results/tmp/ otherwise)." };
foreach (var option in new Option<int>[] { duration, messages, quiesce })
    option.Validators.Add(r =>
    {
        if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name} must be at least 1.");
    });
faultCount.Validators.Add(r =>
{
    if (r.GetValueOrDefault<int>() < 0) r.AddError("--fault-count must not be negative.");
});
faults.Validators.Add(r =>
{
    var unknown = Split(r.GetValueOrDefault<string>() ?? "").Where(n => !FaultKinds.TryParse(n, out _)).ToList();
    if (unknown.Count > 0) r.AddError($"Unknown fault kind(s): {string.Join(", ", unknown)}. Choose from {FaultKinds.AllNames}.");
    else if (!Split(r.GetValueOrDefault<string>() ?? "").Any()) r.AddError("--faults names no fault kind.");
});

var root = new RootCommand("Rmq chaos: random faults from a seeded schedule against real silos and Redis under load; counts what was lost and duplicated.");
Option[] tuning = [seeds, duration, messages, faults, faultCount, quiesce];
foreach (var option in tuning) root.Options.Add(option);
root.Options.Add(output);
root.SetAction(async (parse, cancellationToken) =>
{
    var settings = new ChaosSettings
    {
        Seeds = parse.GetValue(seeds)!,
        Duration = TimeSpan.FromSeconds(parse.GetValue(duration)),
        Messages = parse.GetValue(messages),
        Faults = [.. Split(parse.GetValue(faults)!).Select(n => FaultKinds.TryParse(n, out var k) ? k : default).Distinct()],
        FaultCount = parse.GetValue(faultCount),
        QuiesceTimeout = TimeSpan.FromSeconds(parse.GetValue(quiesce)),
        Output = parse.GetValue(output),
        IsDefaultRun = tuning.All(o => parse.GetResult(o) is null or { Implicit: true }),
    };
    return await new ChaosRunner(settings).RunAsync(cancellationToken);
});

var seed = new Option<int>("--seed") { Required = true };
var redis = new Option<string>("--redis") { Required = true };
var count = new Option<int>("--messages") { Required = true };
var seconds = new Option<double>("--seconds") { Required = true };
var log = new Option<string>("--log") { Required = true };
var publish = new Command("publish", "The external publisher a chaos run starts (not meant to be run by hand).") { seed, redis, count, seconds, log };
publish.SetAction(async (parse, cancellationToken) =>
    await new Publisher(parse.GetValue(redis)!, parse.GetValue(seed), parse.GetValue(count), TimeSpan.FromSeconds(parse.GetValue(seconds)), parse.GetValue(log)!)
        .RunAsync(cancellationToken));
root.Subcommands.Add(publish);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
return await root.Parse(args).InvokeAsync();

static IEnumerable<string> Split(string list) =>
    list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant());
