using Xunit.Sdk;

namespace Rmq.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the last value otherwise.</summary>
    public static async Task Equal<T>(T expected, Func<Task<T>> actual, string what, double seconds = 10)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        T last;
        while (true)
        {
            last = await actual();
            if (EqualityComparer<T>.Default.Equals(last, expected)) return;
            if (DateTime.UtcNow > deadline) break;
            await Task.Delay(10);
        }
        throw new XunitException($"{what}: expected {expected} within {seconds} s, but it stayed {last}");
    }

    public static async Task True(Func<Task<bool>> condition, string what, double seconds = 10)
    {
        await Equal(true, condition, what, seconds);
    }
}
