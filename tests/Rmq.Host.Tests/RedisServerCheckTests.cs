namespace Rmq.Host.Tests;

/// <summary>
/// The real silo process against Garnet: without <c>--lua-transaction-mode</c> its scripts are not atomic and
/// the silo stops at start with exit code 2, naming the server, its version and the flag to add; with it,
/// the silo starts and logs the server, without script flags.
/// </summary>
public sealed class RedisServerCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GarnetWithLuaOnly_StopsTheSilo_WithExit2_NamingTheServerItsVersionAndWhatIsMissing()
    {
        await using var garnet = await RedisServer.StartGarnetAsync("--lua");
        var exit = await SiloRun.UntilExitAsync(["--Rmq:RedisConnectionString", garnet.Endpoint]);
        output.WriteLine(exit.ToString());
        Assert.True(exit.ExitCode == 2, exit.ToString());
        Assert.StartsWith("rmq silo: Rmq cannot run on Garnet 2.2.12 at " + garnet.Endpoint, exit.StdErr);
        Assert.Contains("not atomic", exit.StdErr);
        Assert.Contains("--lua --lua-transaction-mode", exit.StdErr);
        Assert.DoesNotContain(" active: ", exit.All);
    }

    [Fact]
    public async Task GarnetInTransactionMode_StartsTheSilo_AndItSaysWhichServerItRunsOn()
    {
        await using var garnet = await RedisServer.StartGarnetAsync("--lua", "--lua-transaction-mode");
        await using var silo = SiloProcess.Start("garnet", garnet.Endpoint);
        await silo.WaitHealthyAsync();
        Assert.Contains($"Redis server: Garnet 2.2.12 at {garnet.Endpoint} (no script flags", silo.Output.All);
    }
}
