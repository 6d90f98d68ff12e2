namespace Rmq;

/// <summary>
/// Building and reading rmq headers (<c>map[string][]string</c> in Go rmq). Keys are kept exactly as
/// given: Go rmq does not canonicalise them either.
/// </summary>
public static class RmqHeaders
{
    /// <summary>Headers with one value per key: <c>RmqHeaders.Create(("tenant", "acme"), ("kind", "invoice"))</c>.</summary>
    /// <exception cref="ArgumentException">A key is null or empty, or appears twice.</exception>
    public static Dictionary<string, string[]> Create(params (string Key, string Value)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var headers = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("A header key must not be null or empty.", nameof(pairs));
            ArgumentNullException.ThrowIfNull(value, nameof(pairs));
            if (!headers.TryAdd(key, [value]))
                throw new ArgumentException($"Header '{key}' is given twice; use AddHeader to give a key several values.", nameof(pairs));
        }
        return headers;
    }

    /// <summary>Appends <paramref name="values"/> to <paramref name="key"/>'s values; returns the same dictionary.</summary>
    public static Dictionary<string, string[]> AddHeader(this Dictionary<string, string[]> headers, string key, params string[] values)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(values);
        headers[key] = headers.TryGetValue(key, out var existing) ? [.. existing, .. values] : [.. values];
        return headers;
    }

    /// <summary>Every value of a header, in order; empty when the delivery has none.</summary>
    public static IReadOnlyList<string> GetHeaderValues(this Delivery delivery, string key)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return delivery.Headers.TryGetValue(key, out var values) ? values : [];
    }

    /// <summary>The first value of a header, when the delivery has one.</summary>
    public static bool TryGetHeader(this Delivery delivery, string key, out string value)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        value = delivery.GetHeader(key) ?? "";
        return delivery.Headers.TryGetValue(key, out var values) && values.Length > 0;
    }
}
