using Orleans.Configuration;
using Rmq.Hosting;

namespace Rmq.Tests;

/// <summary>The settings the engine depends on are checked at silo start, with a message naming the setting.</summary>
public sealed class RmqOptionsValidatorTests
{
    [Fact]
    public void TheDefaults_AreValid_AndFitOrleansDefaults()
    {
        Assert.Null(RmqOptionsValidator.Problem(new RmqOptions()));
        Assert.Null(RmqOptionsValidator.Problem(new RmqOptions(), new SiloMessagingOptions()));
    }

    [Fact]
    public void APayloadLimitOverWhatOneOrleansMessageCarries_IsRefused()
    {
        var messaging = new SiloMessagingOptions();
        var problem = RmqOptionsValidator.Problem(new RmqOptions { MaxPayloadBytes = messaging.MaxMessageBodySize }, messaging);
        Assert.Contains("Rmq:MaxPayloadBytes", problem);
        Assert.Contains("MaxMessageBodySize", problem);
    }

    [Fact]
    public void AConsumerTimeoutLongerThanOrleansResponseTimeout_IsRefused()
    {
        var messaging = new SiloMessagingOptions { ResponseTimeout = TimeSpan.FromSeconds(10) };
        Assert.Contains("Rmq:ConsumerTimeout", RmqOptionsValidator.Problem(new RmqOptions { ConsumerTimeout = TimeSpan.FromSeconds(20) }, messaging));
    }

    [Theory]
    [InlineData(nameof(RmqOptions.ConsumerMaxAttempts), "Rmq:ConsumerMaxAttempts is 0")]
    [InlineData(nameof(RmqOptions.ConsumerTimeout), "Rmq:ConsumerTimeout is 00:00:00.1000000")]
    [InlineData(nameof(RmqOptions.StallTimeout), "Rmq:StallTimeout is 00:00:00")]
    [InlineData(nameof(RmqOptions.ConsumerMaxBackoff), "Rmq:ConsumerFailureBackoff")]
    [InlineData(nameof(RmqOptions.HeartbeatErrorLimit), "HeartbeatInterval × (HeartbeatErrorLimit + 1) must stay below HeartbeatTtl")]
    public void EngineSettingsThatCannotWork_AreRefused(string setting, string message)
    {
        var o = new RmqOptions();
        switch (setting)
        {
            case nameof(RmqOptions.ConsumerMaxAttempts): o.ConsumerMaxAttempts = 0; break;
            case nameof(RmqOptions.ConsumerTimeout): o.ConsumerTimeout = TimeSpan.FromMilliseconds(100); break; // below the 1 s heartbeat interval
            case nameof(RmqOptions.StallTimeout): o.StallTimeout = TimeSpan.Zero; break;
            case nameof(RmqOptions.ConsumerMaxBackoff): o.ConsumerMaxBackoff = TimeSpan.FromMilliseconds(10); break; // below the failure backoff
            case nameof(RmqOptions.HeartbeatErrorLimit): o.HeartbeatErrorLimit = 60; break; // 61 s ≥ the 60 s TTL
        }
        Assert.Contains(message, RmqOptionsValidator.Problem(o));
    }
}
