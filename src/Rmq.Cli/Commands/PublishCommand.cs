using System.CommandLine;
using Spectre.Console;
using System.Text;

namespace Rmq.Cli.Commands;

/// <summary><c>rmq publish</c>: one payload from the command line or a file, or one per line of a file.</summary>
internal static class PublishCommand
{
    private const int BatchSize = 1000;

    public static Command Create()
    {
        var queue = Arguments.Queue("The queue to publish to.");
        var payload = new Argument<string?>("payload") { Description = "The payload (UTF-8). Leave out with --file.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file", "-f") { Description = "Publish the content of this file ('-' for stdin) instead of a payload argument." };
        var lines = new Option<bool>("--lines") { Description = "With --file: publish each line as its own delivery." };
        var headers = new Option<string[]>("--header", "-H") { Description = "Add an rmq header, key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("publish", "Publish to a queue's ready list.") { queue, payload, file, lines, headers };
        command.SetClusterAction(async (parse, session, console, cancellationToken) =>
        {
            var name = parse.GetValue(queue)!;
            var grain = session.Grains.GetGrain<IQueueGrain>(name);
            var headerMap = ParseHeaders(parse.GetValue(headers) ?? []);
            var path = parse.GetValue(file);
            long published;
            if (path is null)
            {
                await Publish(grain, Encoding.UTF8.GetBytes(parse.GetValue(payload)!), headerMap);
                published = 1;
            }
            else
            {
                var content = await ReadAsync(path, cancellationToken);
                if (parse.GetValue(lines)) published = await PublishLines(grain, content, headerMap);
                else
                {
                    await Publish(grain, content, headerMap);
                    published = 1;
                }
            }
            console.WriteLine($"published {published} {(published == 1 ? "delivery" : "deliveries")} to '{name}'");
            return ExitCodes.Success;
        }, parse =>
        {
            var hasPayload = parse.GetValue(payload) is not null;
            var hasFile = parse.GetValue(file) is not null;
            if (hasPayload == hasFile) throw new UsageException("give either a payload argument or --file, not both and not neither.");
            if (parse.GetValue(lines) && !hasFile) throw new UsageException("--lines needs --file.");
            ParseHeaders(parse.GetValue(headers) ?? []);
        });
        return command;
    }

    private static Task Publish(IQueueGrain grain, byte[] payload, Dictionary<string, string[]> headers)
    {
        if (headers.Count == 0) return grain.PublishBytes(payload);
        return grain.Publish(RmqMessage.Bytes(payload).WithHeaders(headers));
    }

    private static async Task<long> PublishLines(IQueueGrain grain, byte[] content, Dictionary<string, string[]> headers)
    {
        var all = Utf8(content).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (all.Count > 0 && all[^1].Length == 0) all.RemoveAt(all.Count - 1);
        if (headers.Count > 0)
        {
            foreach (var chunk in all.Chunk(BatchSize))
                await grain.PublishBatch(chunk.Select(line => RmqMessage.Text(line).WithHeaders(headers)).ToList());
            return all.Count;
        }
        foreach (var chunk in all.Chunk(BatchSize)) await grain.PublishBatch(chunk);
        return all.Count;
    }

    private static string Utf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new UsageException("the content is not UTF-8 text; --header and --lines need text (publish binary files without them).");
        }
    }

    private static async Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (path == "-")
        {
            using var buffer = new MemoryStream();
            await Console.OpenStandardInput().CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read --file '{path}': {e.Message}");
        }
    }

    private static Dictionary<string, string[]> ParseHeaders(string[] values)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var eq = value.IndexOf('=', StringComparison.Ordinal);
            if (eq < 1) throw new UsageException($"--header '{value}' must look like key=value.");
            headers.AddHeader(value[..eq], value[(eq + 1)..]);
        }
        return headers;
    }
}
