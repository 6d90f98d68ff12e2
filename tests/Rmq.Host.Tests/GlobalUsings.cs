global using Rmq.Host.Tests.Infrastructure;
global using Rmq.Hosting;
global using Rmq.Redis;
global using StackExchange.Redis;
global using Xunit;
global using Xunit.Abstractions;
// Shared with Rmq.Tests. The aliases win over StackExchange.Redis's internal type of the same name.
global using RedisServer = Rmq.Tests.Infrastructure.RedisServer;
global using FreePorts = Rmq.Tests.Infrastructure.FreePorts;
global using ChildProcesses = Rmq.Tests.Infrastructure.ChildProcesses;
global using Eventually = Rmq.Tests.Infrastructure.Eventually;
