global using Rmq.Host.Tests.Infrastructure;
global using Rmq.Redis;
global using StackExchange.Redis;
// The aliases win over StackExchange.Redis's internal type of the same name.
global using RedisServer = Rmq.Tests.Infrastructure.RedisServer;
global using FreePorts = Rmq.Tests.Infrastructure.FreePorts;
global using ChildProcesses = Rmq.Tests.Infrastructure.ChildProcesses;
global using Rmq.Hosting;
