using Rmq.Redis;

namespace Rmq.Tests;

/// <summary>The retry policy's arithmetic and stored form, and the header rewrite of ReturnRejected: pure, no Redis.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public void TheBackoff_GrowsByTheMultiplier_AndStopsAtTheMaximum()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(30), 0);
        Assert.Equal([1, 3, 9, 27, 30, 30], Enumerable.Range(1, 6).Select(a => policy.BackoffAfter(a).TotalSeconds));
        // No overflow far out: 3^999 is infinite as a double, and the maximum holds.
        Assert.Equal(TimeSpan.FromSeconds(30), policy.BackoffAfter(1000));
        var constant = policy with { Multiplier = 1 };
        Assert.All(Enumerable.Range(1, 5), a => Assert.Equal(TimeSpan.FromSeconds(1), constant.BackoffAfter(a)));
    }

    [Fact]
    public void NeverRetry_NamesExceptionTypes_IsStoredAsV2_AndAPolicyWithoutItStaysV1()
    {
        var policy = RetryPolicy.Default.NeverRetrying(typeof(FormatException), typeof(ArgumentException), typeof(FormatException));
        Assert.Equal(["System.FormatException", "System.ArgumentException"], policy.NeverRetry);
        policy.Validate();
        var stored = RedisQueueStore.EncodeRetryPolicy(policy);
        Assert.Equal("v2;10;1000;2;600000;0.2;System.FormatException|System.ArgumentException", stored);
        Assert.Equal(policy, RedisQueueStore.DecodeRetryPolicy(stored));
        Assert.NotEqual(RetryPolicy.Default, policy);
        Assert.StartsWith("v1;", RedisQueueStore.EncodeRetryPolicy(RetryPolicy.Default), StringComparison.Ordinal);
        Assert.Equal(RetryPolicy.Default, RetryPolicy.Default with { NeverRetry = [] });
    }

    [Fact]
    public void NeverRetry_MatchesTheThrownType_ItsBaseTypes_AndATypeTheSiloDoesNotKnow()
    {
        var policy = RetryPolicy.Default.NeverRetrying(typeof(ArgumentException));
        Assert.Equal("System.ArgumentException", Rmq.Queue.ConnectionPump.NeverRetried(policy, new ArgumentException("x")));
        // ArgumentNullException derives from ArgumentException.
        Assert.Equal("System.ArgumentException", Rmq.Queue.ConnectionPump.NeverRetried(policy, new ArgumentNullException("x")));
        Assert.Null(Rmq.Queue.ConnectionPump.NeverRetried(policy, new InvalidOperationException("x")));
        Assert.Null(Rmq.Queue.ConnectionPump.NeverRetried(RetryPolicy.Default, new ArgumentException("x")));
    }

    [Fact]
    public void NeverRetry_RefusesWhatIsNotAnExceptionTypeName()
    {
        var notAnException = Assert.Throws<ArgumentException>(() => RetryPolicy.Default.NeverRetrying(typeof(string)));
        Assert.Contains("takes exception types; System.String is not one", notAnException.Message);
        var spaced = Assert.Throws<ArgumentException>(() => (RetryPolicy.Default with { NeverRetry = ["My Exception"] }).Validate());
        Assert.Contains("each entry must be an exception type's full name", spaced.Message);
        Assert.Throws<ArgumentException>(() => (RetryPolicy.Default with { NeverRetry = ["A|B"] }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (RetryPolicy.Default with { NeverRetry = Enumerable.Range(0, 51).Select(i => $"E{i}").ToArray() }).Validate());
    }

    [Fact]
    public void Jitter_TakesAtMostItsFractionOff_NeverAddsToTheWait()
    {
        var policy = new RetryPolicy(10, TimeSpan.FromSeconds(10), 2, TimeSpan.FromMinutes(10), 0.25);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.BackoffAfter(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(7.5), policy.BackoffAfter(1, 1));
        var draws = Enumerable.Range(0, 1000).Select(_ => policy.BackoffAfter(2, Random.Shared.NextDouble())).ToList();
        Assert.All(draws, d => Assert.InRange(d, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20)));
        Assert.True(draws.Distinct().Count() > 100, "jitter spreads the waits");
    }

    [Fact]
    public void TheDefault_IsValid_AndTheStoredForm_RoundTrips()
    {
        RetryPolicy.Default.Validate();
        foreach (var policy in new[] { RetryPolicy.Default, new RetryPolicy(1, TimeSpan.Zero, 1, TimeSpan.Zero, 1), new RetryPolicy(1000, TimeSpan.FromMilliseconds(0.5), 99.5, TimeSpan.FromDays(30), 0.123456789) })
            Assert.Equal(policy, RedisQueueStore.DecodeRetryPolicy(RedisQueueStore.EncodeRetryPolicy(policy)));
        Assert.Null(RedisQueueStore.DecodeRetryPolicy(RedisValue.Null));
        Assert.Null(RedisQueueStore.DecodeRetryPolicy("v2;1;2;3;4;5"));
        Assert.Null(RedisQueueStore.DecodeRetryPolicy("v1;0;1000;2;60000;0"));   // stored by hand, out of range
        Assert.Null(RedisQueueStore.DecodeRetryPolicy("v1;x;1000;2;60000;0"));
        Assert.Null(RedisQueueStore.DecodeRetryPolicy("v1;5;1e20;2;1e20;0.2"));      // beyond TimeSpan: unreadable, not a crash
    }

    [Fact]
    public void ALongError_IsCutToTheLimit_WithoutSplittingACharacter()
    {
        Assert.Equal("short", DeadLetterHeaders.Truncate("short"));
        var cut = DeadLetterHeaders.Truncate(new string('e', 5000));
        Assert.Equal(DeadLetterHeaders.MaxLastErrorLength, cut.Length);
        Assert.EndsWith("…", cut);
        var emoji = new string('e', DeadLetterHeaders.MaxLastErrorLength - 2) + "😀😀";
        Assert.False(char.IsHighSurrogate(DeadLetterHeaders.Truncate(emoji)[^2]));
    }

    [Fact]
    public void ReturningRejected_RemovesOnlyRmqsRetryHeaders()
    {
        var payload = "p"u8.ToArray();
        Assert.Null(RedisQueueStore.WithoutRetryHeaders(payload));
        var own = HeaderCodec.Encode(payload, new Dictionary<string, string[]> { ["tenant"] = ["acme"] });
        Assert.Null(RedisQueueStore.WithoutRetryHeaders(own));
        var retried = HeaderCodec.Encode(payload, new Dictionary<string, string[]>
        {
            ["tenant"] = ["acme"],
            [DeadLetterHeaders.Attempt] = ["3"],
            [DeadLetterHeaders.LastError] = ["boom"],
        });
        Assert.Equal(own, RedisQueueStore.WithoutRetryHeaders(retried));
        var deadLettered = HeaderCodec.Encode(payload, new Dictionary<string, string[]>
        {
            [DeadLetterHeaders.Reason] = [DeadLetterHeaders.RetriesExhausted],
            [DeadLetterHeaders.Attempts] = ["3"],
            [DeadLetterHeaders.LastError] = ["boom"],
        });
        Assert.Equal(payload, RedisQueueStore.WithoutRetryHeaders(deadLettered));
    }

    [Fact]
    public void Attempt_IsReadFromTheHeader_AndIsOneWithoutIt()
    {
        Delivery With(params string[] values) => new("q", [], new Dictionary<string, string[]> { [DeadLetterHeaders.Attempt] = values }, 1);
        Assert.Equal(1, new Delivery("q", [], new Dictionary<string, string[]>(), 1).Attempt);
        Assert.Equal(4, With("4").Attempt);
        Assert.Equal(1, With("0").Attempt);
        Assert.Equal(1, With("-2").Attempt);
        Assert.Equal(1, With("two").Attempt);
        Assert.Equal(1, With().Attempt);
    }
}
