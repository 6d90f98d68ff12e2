namespace Rmq.Redis.Servers;

/// <summary>
/// The server behind one endpoint, read from <c>INFO server</c>: its kind and its own version (Garnet's
/// 2.2.12, not the Redis version 7.4.3 it also reports).
/// </summary>
/// <param name="Kind">Redis, Valkey, Garnet or Dragonfly.</param>
/// <param name="Version">The server's own version, e.g. <c>7.0.15</c> or <c>2.2.12</c>; <c>?</c> when it reports none.</param>
/// <param name="RedisVersion">The Redis version it reports (<c>redis_version</c>), which a compatible server may imitate.</param>
/// <param name="Endpoint">Where it answered.</param>
public sealed record RedisServerInfo(RedisServerKind Kind, string Version, string RedisVersion, string Endpoint)
{
    /// <summary>The server's name and version, e.g. <c>Garnet 2.2.12</c>.</summary>
    public string Display => $"{Kind} {Version}";

    /// <summary>Reads the fields of <c>INFO server</c> (<c>key:value</c> lines, or the pairs StackExchange.Redis parsed).</summary>
    public static RedisServerInfo Parse(IEnumerable<KeyValuePair<string, string>> fields, string endpoint)
    {
        var info = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in fields) info.TryAdd(key.Trim(), value.Trim());
        var redisVersion = info.GetValueOrDefault("redis_version", "?");
        if (info.TryGetValue("garnet_version", out var garnet))
            return new(RedisServerKind.Garnet, garnet, redisVersion, endpoint);
        if (info.TryGetValue("server_name", out var name) && name.Contains("garnet", StringComparison.OrdinalIgnoreCase))
            return new(RedisServerKind.Garnet, "?", redisVersion, endpoint);
        if (info.TryGetValue("dragonfly_version", out var dragonfly))
            return new(RedisServerKind.Dragonfly, dragonfly.TrimStart('d', 'f', '-', 'v'), redisVersion, endpoint);
        if (info.TryGetValue("valkey_version", out var valkey))
            return new(RedisServerKind.Valkey, valkey, redisVersion, endpoint);
        return new(RedisServerKind.Redis, redisVersion, redisVersion, endpoint);
    }

    /// <summary>Reads the text of <c>INFO server</c>: <c>key:value</c> lines, <c>#</c> comments skipped.</summary>
    public static RedisServerInfo Parse(string infoText, string endpoint) =>
        Parse(infoText.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && line[0] != '#' && line.Contains(':'))
            .Select(line => new KeyValuePair<string, string>(line[..line.IndexOf(':')], line[(line.IndexOf(':') + 1)..])), endpoint);
}
