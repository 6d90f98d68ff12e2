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
    public void AJobId_IsAHeader_MadeNewWhenAsked_AndABadOneIsRefusedSayingWhy()
    {
        var made = RmqMessage.Text("x").WithNewJobId();
        Assert.Matches("^[0-9a-f]{32}$", made.JobId);
        Assert.NotEqual(made.JobId, RmqMessage.Text("x").WithNewJobId().JobId);
        Assert.Equal(["order-42"], RmqMessage.Text("x").WithJobId("order-42").Headers[JobIds.Header]);
        Assert.Null(RmqMessage.Text("x").JobId);
        Assert.Contains("may not hold spaces", Assert.Throws<ArgumentException>(() => RmqMessage.Text("x").WithJobId("order 42")).Message);
        Assert.Contains("at most 200 characters", Assert.Throws<ArgumentException>(() => RmqMessage.Text("x").WithJobId(new string('a', 201))).Message);
        Assert.Throws<ArgumentException>(() => RmqMessage.Text("x").WithJobId(""));
        var delivery = new Delivery("q", [], new Dictionary<string, string[]> { [JobIds.Header] = ["order-42"] }, 1);
        Assert.Equal("order-42", delivery.JobId);
    }

    [Fact]
    public void APermanentFailure_MustSayWhy()
    {
        Assert.Throws<ArgumentException>(() => new PermanentFailureException(" "));
        Assert.Equal("bad order", new PermanentFailureException("bad order", new FormatException()).Message);
    }
}
