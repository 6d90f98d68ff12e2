using Rmq.Hosting.Declaring;
using Rmq.Tests.Consumers;

namespace Rmq.Tests;

/// <summary>
/// A long-running consumer's own limits, as far as they can be checked without a silo (<see cref="JobLimits.EnsureValid"/>):
/// the same check where a queue is declared in code and where a consumer registers (LongJobTests covers the latter).
/// </summary>
public sealed class JobLimitsTests
{
    public static TheoryData<JobLimits> Bad => new()
    {
        new JobLimits(TimeSpan.Zero),
        new JobLimits(MaxRunTime: TimeSpan.FromSeconds(-1)),
        new JobLimits(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)),
        new JobLimits(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)),
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void BadLimits_AreRefusedWhereTheQueueIsDeclared_SayingWhatIsWrong(JobLimits limits)
    {
        var builder = new RmqQueueBuilder("jobs");
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.LongRunningConsumer<ILongJobConsumerGrain>("long", 1, limits));
        Assert.Equal("limits", error.ParamName);
        Assert.Contains("must be positive, and the maximum run time must be longer than the lease", error.Message);
    }

    [Fact]
    public void GoodLimits_OrNone_AreTaken()
    {
        new JobLimits(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5)).EnsureValid();
        new JobLimits(MaxRunTime: TimeSpan.FromMinutes(5)).EnsureValid();
        new JobLimits().EnsureValid();
        var builder = new RmqQueueBuilder("jobs").LongRunningConsumer<ILongJobConsumerGrain>("long", 2);
        Assert.Equal("jobs", builder.Queue);
    }
}
