using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using DataMesh.Lineage;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Core.Tests.Lineage;

public sealed class OpenLineageTransportTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, string ContentType, JsonNode? Body)> _received = new();
    private readonly Queue<HttpStatusCode> _answers = new();
    private readonly string _root;
    private readonly HttpClient _http = new();

    public OpenLineageTransportTests()
    {
        var port = FreePort();
        _root = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(_root);
        _listener.Start();
        _ = ServeAsync();
    }

    public void Dispose()
    {
        _listener.Close();
        _http.Dispose();
    }

    [Fact]
    public void ResolveEndpoint_FollowsTheOpenLineageClientSettings()
    {
        Assert.Null(OpenLineageTransport.ResolveEndpoint(_ => null));
        Assert.Equal("http://marquez:5000/api/v1/lineage", OpenLineageTransport.ResolveEndpoint(k => k == "OPENLINEAGE_URL" ? "http://marquez:5000" : null)!.AbsoluteUri);
        Assert.Equal("https://ol.example.com/base/events", OpenLineageTransport.ResolveEndpoint(k => k switch
        {
            "OPENLINEAGE_URL" => "https://ol.example.com/base/",
            "OPENLINEAGE_ENDPOINT" => "/events",
            _ => null,
        })!.AbsoluteUri);
        var ex = Assert.Throws<InvalidOperationException>(() => OpenLineageTransport.ResolveEndpoint(k => k == "OPENLINEAGE_URL" ? "file:///etc/passwd" : null));
        Assert.Contains("OPENLINEAGE_URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_AfterTransientFailures_DeliversTheEventOnce()
    {
        // Arrange
        _answers.Enqueue(HttpStatusCode.ServiceUnavailable);
        _answers.Enqueue(HttpStatusCode.TooManyRequests);
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.True(sent);
        Assert.Equal(3, _received.Count);
        Assert.All(_received, r => Assert.Equal("/api/v1/lineage", r.Path));
        Assert.All(_received, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        Assert.Equal("START", (string?)_received.Last().Body!["eventType"]);
    }

    [Fact]
    public async Task SendAsync_RefusedEvent_IsNotRetriedAndDoesNotThrow()
    {
        // Arrange
        _answers.Enqueue(HttpStatusCode.BadRequest);
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.False(sent);
        Assert.Single(_received);
    }

    [Fact]
    public async Task SendAsync_EndpointDown_GivesUpWithoutThrowing()
    {
        // Arrange: nothing listens on this port any more.
        _listener.Stop();
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.False(sent);
    }

    private OpenLineageTransport Transport() =>
        new(_http, OpenLineageTransport.ResolveEndpoint(k => k == "OPENLINEAGE_URL" ? _root : null)!, NullLogger.Instance, TimeSpan.FromMilliseconds(10));

    private static JsonObject Event() => new()
    {
        ["eventType"] = "START",
        ["run"] = new JsonObject { ["runId"] = Guid.NewGuid().ToString() },
        ["job"] = new JsonObject { ["namespace"] = "datamesh", ["name"] = "finance.ledger-emea" },
    };

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            _received.Enqueue((context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", JsonNode.Parse(body)));
            context.Response.StatusCode = (int)(_answers.Count > 0 ? _answers.Dequeue() : HttpStatusCode.Created);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
