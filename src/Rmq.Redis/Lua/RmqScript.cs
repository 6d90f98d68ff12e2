namespace Rmq.Redis.Lua;

/// <summary>
/// One Lua script of Rmq, composed once at type initialisation from its parts: the <c>allow-oom</c>
/// shebang when it must run over maxmemory, code that must run before the type check (a cheap early
/// return), the key-type check written once (<see cref="TypeCheck"/>), and the script's own body.
/// </summary>
/// <remarks>
/// Redis does not undo a script that fails halfway, so a script that writes to several keys checks every
/// key's type before it writes anything: a key of another type fails the whole script with
/// <c>WRONGTYPE &lt;key&gt; is a &lt;type&gt;, not a &lt;type&gt;</c>, never half of it. The check reads the
/// Lua table <c>rmq_types</c> (index = KEYS index, value = the type wanted, <c>false</c> = not checked) and
/// covers the keys the script was given (<c>#KEYS</c>), so optional trailing keys cost nothing when absent.
/// Most scripts declare the table statically (<see cref="KeyTypes"/>); a script whose keys depend on its
/// arguments builds it in its prelude (<see cref="Create(string, bool, string, string, bool)"/>), and may leave out a
/// key whose first command in the script comes before every write (that command fails on another type before
/// anything is written, on Redis and Garnet alike), as the consuming hot path does.
/// </remarks>
internal sealed class RmqScript
{
    /// <summary>The first line of a script that Redis 7+ must run even over maxmemory.</summary>
    public const string AllowOomShebang = "#!lua flags=allow-oom";

    /// <summary>
    /// The first line of a script that Redis 7+ must refuse whole over maxmemory, before it runs (without a
    /// shebang Redis would run it and fail at its first write that grows memory, after earlier writes).
    /// </summary>
    public const string NoFlagsShebang = "#!lua";

    /// <summary>The one type check every writing script runs before anything else writes (see the remarks).</summary>
    public const string TypeCheck = """
        for k = 1, #KEYS do
          local want = rmq_types[k]
          if want then
            local t = redis.call('TYPE', KEYS[k])['ok']
            if t ~= 'none' and t ~= want then
              return redis.error_reply('WRONGTYPE ' .. KEYS[k] .. ' is a ' .. t .. ', not a ' .. want)
            end
          end
        end
        """;

    private RmqScript(string name, string? shebang, string prelude, string? typesTable, IReadOnlyList<string?> keyTypes, string body)
    {
        Name = name;
        Shebang = shebang;
        KeyTypes = keyTypes;
        ChecksTypes = typesTable is not null;
        var parts = new List<string>();
        if (prelude.Length > 0) parts.Add(prelude.TrimEnd('\n'));
        if (typesTable is not null)
        {
            parts.Add(typesTable);
            parts.Add(TypeCheck);
        }
        parts.Add(body.TrimEnd('\n'));
        TextWithoutFlags = string.Join("\n", parts);
        Text = shebang is null ? TextWithoutFlags : shebang + "\n" + TextWithoutFlags;
    }

    /// <summary>The script's name, for errors and the test that checks every script.</summary>
    public string Name { get; }

    /// <summary>Its first line on Redis 7+ (<see cref="AllowOomShebang"/>, <see cref="NoFlagsShebang"/>), or null for none.</summary>
    public string? Shebang { get; }

    /// <summary>The type each KEYS entry must have (null: not checked); empty for a script that builds its table at run time, or checks nothing.</summary>
    public IReadOnlyList<string?> KeyTypes { get; }

    /// <summary>Whether the script runs <see cref="TypeCheck"/> before its body.</summary>
    public bool ChecksTypes { get; }

    /// <summary>The text to send to Redis 7 and later.</summary>
    public string Text { get; }

    /// <summary>The text without the shebang line, for servers that cannot parse script flags (Redis 6, Garnet).</summary>
    public string TextWithoutFlags { get; }

    /// <summary>
    /// A script whose keys have fixed types: <paramref name="keyTypes"/>[i] is the type KEYS[i + 1] must have
    /// ('list', 'hash', 'zset', 'string'), or null where it is not checked.
    /// </summary>
    /// <param name="name">The script's name.</param>
    /// <param name="allowOom">Run even over maxmemory (<see cref="AllowOomShebang"/>).</param>
    /// <param name="keyTypes">The type of each key, null where not checked.</param>
    /// <param name="body">The script after the check.</param>
    /// <param name="prelude">Code before the check (an early return that reads only).</param>
    /// <param name="refuseWholeWhenFull">Without allow-oom: the <see cref="NoFlagsShebang"/>, so a full Redis refuses it before it runs.</param>
    public static RmqScript Create(string name, bool allowOom, string?[] keyTypes, string body, string prelude = "", bool refuseWholeWhenFull = false) =>
        new(name, FirstLine(allowOom, refuseWholeWhenFull), prelude, TypesTable(keyTypes), keyTypes, body);

    /// <summary>A script that builds <c>rmq_types</c> itself in <paramref name="prelude"/> (its keys depend on its arguments).</summary>
    public static RmqScript Create(string name, bool allowOom, string prelude, string body, bool buildsTypesInPrelude)
    {
        if (!buildsTypesInPrelude || !prelude.Contains("rmq_types", StringComparison.Ordinal))
            throw new ArgumentException($"Script {name}: its prelude must build rmq_types.", nameof(prelude));
        return new(name, FirstLine(allowOom, false), prelude, "", [], body);
    }

    /// <summary>A script that writes no more than one key, or only removes: no type check (a wrong type fails its first command, before any write).</summary>
    public static RmqScript Unchecked(string name, bool allowOom, string body) => new(name, FirstLine(allowOom, false), "", null, [], body);

    private static string? FirstLine(bool allowOom, bool refuseWholeWhenFull) =>
        allowOom ? AllowOomShebang : refuseWholeWhenFull ? NoFlagsShebang : null;

    private static string TypesTable(string?[] keyTypes) =>
        "local rmq_types = { " + string.Join(", ", keyTypes.Select(t => t is null ? "false" : $"'{t}'")) + " }";

    /// <inheritdoc/>
    public override string ToString() => Name;
}
