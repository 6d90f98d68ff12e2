global using Rmq.Redis;
global using Rmq.Tests.Consumers;
global using Rmq.Tests.Infrastructure;
global using StackExchange.Redis;
global using Xunit;
