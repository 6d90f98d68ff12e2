namespace Rmq;

/// <summary>The rules for queue names, shared by the grains and clients.</summary>
public static class QueueNames
{
    /// <summary>The longest queue name accepted, in characters.</summary>
    public const int MaxLength = 200;

    /// <summary>Characters a queue name must not contain: rmq's key layout uses them as hash tags.</summary>
    public static ReadOnlySpan<char> ForbiddenCharacters => "[]{}";

    /// <summary>
    /// Why <paramref name="name"/> is not a valid queue name, or <c>null</c> when it is. Besides the
    /// length and <see cref="ForbiddenCharacters"/>, control characters and unpaired surrogates are
    /// refused; any other Unicode is fine.
    /// </summary>
    public static string? Problem(string? name)
    {
        if (name is null) return "a queue name is required, but it is null";
        if (name.Length == 0) return "a queue name must not be empty";
        if (name.Length > MaxLength)
            return $"a queue name must be at most {MaxLength} characters, but it has {name.Length}";
        var bad = name.AsSpan().IndexOfAny(ForbiddenCharacters);
        if (bad >= 0)
            return $"a queue name must not contain '[', ']', '{{' or '}}' (rmq uses them as hash tags in Redis keys), but '{name}' has '{name[bad]}' at position {bad}";
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsControl(name[i]))
                return $"a queue name must not contain control characters (they are invisible in logs and in redis-cli), but '{Shown(name)}' has U+{(int)name[i]:X4} at position {i}; remove it or use a printable character";
            if (IsUnpairedSurrogate(name, i))
                return $"a queue name must not contain an unpaired surrogate (UTF-8 turns every one into U+FFFD, so different names would share one set of Redis keys), but '{Shown(name)}' has U+{(int)name[i]:X4} at position {i}; remove it or complete the surrogate pair";
        }
        return null;
    }

    private static bool IsUnpairedSurrogate(string s, int i) =>
        char.IsHighSurrogate(s[i]) ? i + 1 == s.Length || !char.IsLowSurrogate(s[i + 1])
        : char.IsLowSurrogate(s[i]) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));

    // The name as it can be read in a message: the characters it is rejected for as \uXXXX escapes.
    private static string Shown(string name) =>
        string.Concat(name.Select((c, i) => char.IsControl(c) || IsUnpairedSurrogate(name, i) ? $"\\u{(int)c:X4}" : c.ToString()));

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/> when the name is invalid.</summary>
    public static void Validate(string? name, string parameterName)
    {
        var problem = Problem(name);
        if (problem is not null)
            throw new ArgumentException($"Invalid {parameterName}: {problem}.", parameterName);
    }
}
