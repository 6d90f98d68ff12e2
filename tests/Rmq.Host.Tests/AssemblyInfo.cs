// The private redis-server helper is shared with Rmq.Tests; StackExchange.Redis has an internal type of the same name.
global using RedisServer = Rmq.Tests.Infrastructure.RedisServer;
global using ChildProcesses = Rmq.Tests.Infrastructure.ChildProcesses;
global using FreePorts = Rmq.Tests.Infrastructure.FreePorts;
global using Eventually = Rmq.Tests.Infrastructure.Eventually;
using Xunit;

// Two cores shared with other work: silo processes, browsers and clusters run one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
