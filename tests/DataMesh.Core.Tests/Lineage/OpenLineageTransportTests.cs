using System.Net;
using System.Text.Json.Nodes;
using DataMesh.Lineage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Core.Tests.Lineage;

public sealed class OpenLineageTransportTests : IDisposable
{
    private readonly OpenLineageReceiver _receiver = new();
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _receiver.Dispose();
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
        _receiver.AnswerNext(HttpStatusCode.ServiceUnavailable);
        _receiver.AnswerNext(HttpStatusCode.TooManyRequests);
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.True(sent);
        var received = _receiver.Requests;
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Equal("/api/v1/lineage", r.Path));
        Assert.All(received, r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
        Assert.Equal("START", (string?)received[^1].Body!["eventType"]);
    }

    [Fact]
    public async Task SendAsync_RefusedEvent_IsNotRetriedAndDoesNotThrow()
    {
        // Arrange
        _receiver.AnswerNext(HttpStatusCode.BadRequest);
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.False(sent);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task SendAsync_EndpointDown_GivesUpWithoutThrowing()
    {
        // Arrange: nothing listens on this port any more.
        _receiver.Stop();
        var transport = Transport();

        // Act
        var sent = await transport.SendAsync(Event());

        // Assert
        Assert.False(sent);
    }

    [Fact]
    public async Task Post_EndpointThatKeepsFailing_ReturnsAtOnceAndRetriesInTheBackground()
    {
        // Arrange: every answer transient, an hour between retries: sending inline would hold the caller for hours.
        for (var i = 0; i < 3; i++)
        {
            _receiver.AnswerNext(HttpStatusCode.ServiceUnavailable);
        }

        await using var transport = new OpenLineageTransport(_http, _receiver.Endpoint, NullLogger.Instance, TimeSpan.FromHours(1));

        // Act: Post returns without waiting for the endpoint (a stuck Post fails the WaitAsync below).
        await Task.Run(() => transport.Post(Event())).WaitAsync(TimeSpan.FromMinutes(1));

        // Assert: the background sender made its first attempt meanwhile.
        Assert.Single(await _receiver.WaitForEventsAsync(1));
    }

    [Fact]
    public async Task Post_ThenStop_DeliversWhatWasQueuedInOrder()
    {
        await using var transport = Transport();
        var first = Event();
        var second = Event();

        transport.Post(first);
        transport.Post(second);
        await transport.StopAsync(TimeSpan.FromMinutes(1));

        Assert.Equal([(string?)first["run"]!["runId"], (string?)second["run"]!["runId"]], _receiver.Events.Select(e => (string?)e["run"]!["runId"]));
    }

    private OpenLineageTransport Transport() =>
        new(_http, OpenLineageTransport.ResolveEndpoint(k => k == "OPENLINEAGE_URL" ? _receiver.BaseUri.AbsoluteUri : null)!, NullLogger.Instance, TimeSpan.FromMilliseconds(10));

    private static JsonObject Event() => new()
    {
        ["eventType"] = "START",
        ["run"] = new JsonObject { ["runId"] = Guid.NewGuid().ToString() },
        ["job"] = new JsonObject { ["namespace"] = "datamesh", ["name"] = "finance.ledger-emea" },
    };
}
