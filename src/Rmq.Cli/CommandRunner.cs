using System.CommandLine;
using Orleans.Runtime;
using Rmq.Hosting;
using Spectre.Console;

namespace Rmq.Cli;

/// <summary>Runs a command against the silos and turns every failure into a message on stderr and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>The body of a command: it gets the parsed line, a connected session and the console.</summary>
    public delegate Task<int> ClusterAction(ParseResult parse, RmqClient session, IAnsiConsole console, CancellationToken cancellationToken);

    /// <summary>Sets <paramref name="action"/> as the command's action; <paramref name="validate"/> runs before connecting.</summary>
    public static void SetClusterAction(this Command command, ClusterAction action, Action<ParseResult>? validate = null)
    {
        command.SetAction(async (parse, cancellationToken) =>
        {
            RmqClientOptions? options = null;
            try
            {
                validate?.Invoke(parse);
                (options, var wait) = ConnectionSettings.Read(parse);
                await using var session = await RmqClient.ConnectAsync(options, wait, cancellationToken);
                return await action(parse, session, Output.Console, cancellationToken);
            }
            catch (UsageException e) { return Fail(ExitCodes.Usage, e.Message); }
            // The grains validate their arguments with ArgumentException before touching Redis.
            catch (ArgumentException e) { return Fail(ExitCodes.Usage, e.Message); }
            catch (SiloUnreachableException e)
            {
                // Said with the command line's option names rather than the library's.
                var tls = e.InnerException is { } inner ? RmqClient.TlsHint(inner, "--redis-tls-ca-certificate") : "";
                return Fail(ExitCodes.Unreachable, $"no Rmq silo answers at {ConnectionSettings.Describe(options!)}: {e.InnerException?.Message}{tls}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { return Fail(130, "interrupted"); }
            // Redis's own errors, as the silo words them (RedisServerErrorException includes NOPERM and READONLY).
            catch (Exception e) when (e is RedisUnavailableException or RedisFullException or RedisServerErrorException or RedisServerNotSupportedException
                or InvalidOperationException or OrleansException or TimeoutException or IOException)
            {
                return Fail(ExitCodes.Failed, e.Message);
            }
        });
    }

    /// <summary>Writes <c>rmq: message</c> to stderr and returns <paramref name="code"/>.</summary>
    public static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"rmq: {message}");
        return code;
    }
}
