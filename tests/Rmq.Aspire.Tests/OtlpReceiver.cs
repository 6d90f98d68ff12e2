using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rmq.Aspire.Tests;

/// <summary>
/// An OTLP/HTTP endpoint on a free loopback port that keeps the bodies posted to <c>/v1/metrics</c> (protobuf:
/// the metric names and attribute values are in it as UTF-8), so a test can see what a process exported.
/// </summary>
internal sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<byte[]> _metrics = new();

    public OtlpReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    /// <summary>The base address, for OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public string Endpoint { get; }

    /// <summary>True once some export to <c>/v1/metrics</c> contained every one of <paramref name="texts"/>.</summary>
    public bool ReceivedMetricsWith(params string[] texts) =>
        _metrics.Any(body => texts.All(t => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(t)) >= 0));

    /// <summary>How many metric exports arrived.</summary>
    public int MetricExports => _metrics.Count;

    public void Dispose() => _listener.Close();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.Url?.AbsolutePath == "/v1/metrics") _metrics.Enqueue(body.ToArray());
            // An empty protobuf Export*ServiceResponse: accepted.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
