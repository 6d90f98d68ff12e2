namespace Rmq.Tests;

/// <summary>A consumer's retry decisions that cannot be carried out fail where they are made, saying what is allowed.</summary>
public sealed class OutcomeExceptionsTests
{
    [Fact]
    public void ARetryDelay_MustBeZeroOrMore_AndAtMostAYear()
    {
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => new RetryLaterException(TimeSpan.FromSeconds(-1)));
        Assert.Contains("must be zero or more and at most 365 days", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryLaterException(TimeSpan.FromDays(366)));
        Assert.Equal(TimeSpan.Zero, new RetryLaterException(TimeSpan.Zero).Delay);
        Assert.Equal("retry after 00:05:00", new RetryLaterException(TimeSpan.FromMinutes(5)).Message);
    }

    [Fact]
    public void APermanentFailure_MustSayWhy()
    {
        Assert.Throws<ArgumentException>(() => new PermanentFailureException(" "));
        Assert.Equal("bad order", new PermanentFailureException("bad order", new FormatException()).Message);
    }
}
