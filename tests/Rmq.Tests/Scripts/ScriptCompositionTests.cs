using System.Reflection;
using System.Text.RegularExpressions;
using Rmq.Redis.Lua;

namespace Rmq.Tests.Scripts;

/// <summary>
/// Every Lua script of Rmq is an <see cref="RmqScript"/>, and each that adds to a list checks its keys'
/// types first with the one shared check, before anything is written: found by reflection, so a new
/// script cannot slip past. Then, against a real redis-server, each checked key of the wrong type makes
/// its script fail whole, naming the key, with every other key left as it was.
/// </summary>
[Collection(ClassicCollection.Name)]
public sealed partial class ScriptCompositionTests(ClassicClusterFixture fixture)
{
    private static readonly Assembly[] Assemblies = [typeof(RmqScript).Assembly, typeof(Rmq.Redis.LuaScripts).Assembly];

    [GeneratedRegex(@"redis\.call\('(LPUSH|RPUSH|RPOPLPUSH|LMOVE|LSET|LINSERT)', KEYS\[(\d+)\]")]
    private static partial Regex ListWrite();

    public static IEnumerable<object[]> Scripts() => AllScripts().Select(s => new object[] { s.Name });

    private static List<RmqScript> AllScripts() =>
        Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(f => f.FieldType == typeof(RmqScript))
            .Select(f => (RmqScript)f.GetValue(null)!)
            .ToList();

    private static RmqScript Script(string name) => AllScripts().Single(s => s.Name == name);

    [Fact]
    public void EveryScriptIsFound_AndNoScriptTextLivesOutsideRmqScript()
    {
        var scripts = AllScripts();
        Assert.True(scripts.Count >= 19, $"found {scripts.Count} scripts");
        Assert.Equal(scripts.Count, scripts.Select(s => s.Name).Distinct().Count());
        // No copy of the type check left anywhere: string constants holding Redis calls are script text that bypasses the composer.
        var stray = Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic).Select(f => (t, f)))
            .Where(x => x.f.FieldType == typeof(string) && x.f.GetValue(null) is string text && text.Contains("redis.call(", StringComparison.Ordinal))
            .Where(x => !(x.t == typeof(RmqScript) && x.f.Name == nameof(RmqScript.TypeCheck)))
            .Select(x => $"{x.t.Name}.{x.f.Name}")
            .ToList();
        Assert.Empty(stray);
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void AScriptThatAddsToAList_ChecksEveryKeyTypeFirst_WithTheSharedCheck(string name)
    {
        var script = Script(name);
        var text = script.TextWithoutFlags;
        var writes = ListWrite().Matches(text);
        if (script.Shebang is { } shebang) Assert.StartsWith(shebang + "\n", script.Text);
        else Assert.Equal(script.Text, text);
        Assert.DoesNotContain("#!", text);
        if (writes.Count == 0) return;

        Assert.True(script.ChecksTypes, $"{name} adds to a list but does not check key types");
        var check = text.IndexOf(RmqScript.TypeCheck, StringComparison.Ordinal);
        Assert.True(check >= 0, $"{name} does not run the shared type check");
        Assert.Equal(check, text.LastIndexOf(RmqScript.TypeCheck, StringComparison.Ordinal));
        Assert.True(check < writes[0].Index, $"{name} writes before it checks");
        Assert.DoesNotContain("redis.call('TYPE'", text[(check + RmqScript.TypeCheck.Length)..].Replace("redis.call('TYPE', KEYS[1])['ok'] == 'hash'", ""));
        // A script with fixed key types declares every list it adds to as a list.
        if (script.KeyTypes.Count > 0)
            foreach (Match write in writes)
                Assert.Equal("list", script.KeyTypes[int.Parse(write.Groups[2].Value) - 1]);
    }

    [Fact]
    public async Task EachCheckedKeyOfTheWrongType_FailsItsScriptWhole_NamingTheKey()
    {
        var db = fixture.Db;
        var checkedKeys = 0;
        foreach (var script in AllScripts().Where(s => s.ChecksTypes && s.KeyTypes.Count > 0))
        {
            for (var wrong = 0; wrong < script.KeyTypes.Count; wrong++)
            {
                if (script.KeyTypes[wrong] is not { } wanted) continue;
                var tag = $"{{types-{Guid.NewGuid():N}}}";
                var keys = Enumerable.Range(1, script.KeyTypes.Count).Select(i => (RedisKey)$"{tag}:k{i}").ToArray();
                for (var k = 0; k < keys.Length; k++)
                {
                    if (k == wrong) await db.StringSetAsync(keys[k], "not a " + wanted);
                    else await Populate(db, keys[k], script.KeyTypes[k]);
                }
                var before = await Snapshot(db, keys);
                var e = await Assert.ThrowsAsync<RedisServerException>(() =>
                    db.ScriptEvaluateAsync(script.Text, keys, Enumerable.Repeat((RedisValue)"1", 12).ToArray()));
                Assert.Equal($"WRONGTYPE {keys[wrong]} is a string, not a {wanted}", e.Message);
                Assert.Equal(before, await Snapshot(db, keys));
                await db.KeyDeleteAsync(keys);
                checkedKeys++;
            }
        }
        Assert.True(checkedKeys >= 20, $"checked {checkedKeys} keys");
    }

    private static Task Populate(IDatabase db, RedisKey key, string? type) => type switch
    {
        "list" => db.ListRightPushAsync(key, "x"),
        "hash" => db.HashSetAsync(key, "f", "v"),
        "zset" => db.SortedSetAddAsync(key, "m", 1),
        _ => Task.CompletedTask,
    };

    private static async Task<string> Snapshot(IDatabase db, RedisKey[] keys)
    {
        var parts = new List<string>();
        foreach (var key in keys) parts.Add($"{key}={Convert.ToHexString(await db.KeyDumpAsync(key) ?? [])}");
        return string.Join("\n", parts);
    }
}
