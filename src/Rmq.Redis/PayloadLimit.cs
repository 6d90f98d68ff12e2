namespace Rmq.Redis;

/// <summary>The payload size check, with the same words wherever a publish is made.</summary>
internal static class PayloadLimit
{
    /// <summary>
    /// Returns <paramref name="element"/>, or throws an <see cref="ArgumentException"/> naming
    /// <paramref name="parameter"/> when it is over <paramref name="limit"/> bytes.
    /// </summary>
    public static byte[] Check(byte[] element, long limit, string parameter)
    {
        if (element.LongLength > limit)
            throw new ArgumentException(
                $"{parameter} is {element.LongLength} bytes; the limit is {limit} bytes (Rmq:MaxPayloadBytes). Nothing was published.", parameter);
        return element;
    }
}
