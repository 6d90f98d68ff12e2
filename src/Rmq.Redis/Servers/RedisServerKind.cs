namespace Rmq.Redis.Servers;

/// <summary>Which Redis-compatible server answers, as told by its <c>INFO server</c>.</summary>
public enum RedisServerKind
{
    /// <summary>redis-server (Redis Ltd.'s, or a managed Redis that reports itself as Redis).</summary>
    Redis,

    /// <summary>Valkey (the Linux Foundation's fork of Redis 7.2): reports <c>valkey_version</c>.</summary>
    Valkey,

    /// <summary>Microsoft Garnet: reports <c>garnet_version</c> / <c>server_name:garnet</c>, and a Redis version it imitates.</summary>
    Garnet,

    /// <summary>Dragonfly: reports <c>dragonfly_version</c>.</summary>
    Dragonfly,
}
