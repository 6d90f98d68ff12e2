using Microsoft.Extensions.Logging;

namespace Rmq.Silo.Hosting;

internal static partial class RedisSettingsCheck
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check the settings of Redis at {Endpoint} (INFO was refused or failed); starting without knowing its maxmemory-policy and persistence")]
    private static partial void LogNotChecked(ILogger logger, string endpoint, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} has maxmemory-policy {Policy}: {WhatEvicts} Starting anyway because Rmq:AllowEvictingRedis is true")]
    private static partial void LogEvictingAllowed(ILogger logger, string endpoint, string policy, string whatEvicts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Endpoint} has the append-only file off (appendonly no): if redis-server stops or crashes, every delivery published, acked or moved since its last RDB snapshot is lost or comes back (with no snapshots configured: all of them). Turn it on with CONFIG SET appendonly yes (appendfsync everysec loses at most about a second of writes), and appendonly yes in redis.conf")]
    private static partial void LogAofOff(ILogger logger, string endpoint);
}
