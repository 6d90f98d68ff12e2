namespace Rmq;

/// <summary>The rules for queue names, shared by the grains and clients.</summary>
public static class QueueNames
{
    /// <summary>The longest queue name accepted, in characters.</summary>
    public const int MaxLength = 200;

    /// <summary>Characters a queue name must not contain: rmq's key layout uses them as hash tags.</summary>
    public static ReadOnlySpan<char> ForbiddenCharacters => "[]{}";

    /// <summary>Why <paramref name="name"/> is not a valid queue name, or <c>null</c> when it is.</summary>
    public static string? Problem(string? name)
    {
        if (name is null) return "a queue name is required, but it is null";
        if (name.Length == 0) return "a queue name must not be empty";
        if (name.Length > MaxLength)
            return $"a queue name must be at most {MaxLength} characters, but it has {name.Length}";
        var bad = name.AsSpan().IndexOfAny(ForbiddenCharacters);
        if (bad >= 0)
            return $"a queue name must not contain '[', ']', '{{' or '}}' (rmq uses them as hash tags in Redis keys), but '{name}' has '{name[bad]}' at position {bad}";
        return null;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/> when the name is invalid.</summary>
    public static void Validate(string? name, string parameterName)
    {
        var problem = Problem(name);
        if (problem is not null)
            throw new ArgumentException($"Invalid {parameterName}: {problem}.", parameterName);
    }
}
