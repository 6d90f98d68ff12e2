using System.Globalization;
using System.Net;

namespace Rmq.Host.Tests.Infrastructure;

/// <summary>The TCP sockets a process listens on, read from Linux's <c>/proc</c> (what <c>ss -ltnp</c> shows).</summary>
public static class ListeningSockets
{
    private const string Listen = "0A";

    /// <summary>Every listening TCP endpoint (IPv4 and IPv6) owned by <paramref name="pid"/>.</summary>
    public static IReadOnlyList<IPEndPoint> Of(int pid)
    {
        // A socket's file descriptor links to "socket:[inode]"; /proc/net/tcp* lists sockets by inode.
        var inodes = new HashSet<string>();
        foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    inodes.Add(target["socket:[".Length..^1]);
            }
            catch (IOException)
            {
                // The descriptor was closed while we looked.
            }
        }
        var found = new List<IPEndPoint>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != Listen || !inodes.Contains(fields[9])) continue;
                found.Add(Parse(fields[1]));
            }
        }
        return found;
    }

    /// <summary>True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4());

    // "0100007F:71B9": the address as 32-bit words printed in host byte order, then the port in hex.
    private static IPEndPoint Parse(string local)
    {
        var (hex, port) = (local[..local.IndexOf(':')], int.Parse(local[(local.IndexOf(':') + 1)..], NumberStyles.HexNumber));
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            var value = uint.Parse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber);
            // Written back in this machine's byte order, the word's bytes are the address's bytes again.
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }
        return new IPEndPoint(new IPAddress(bytes), port);
    }
}
