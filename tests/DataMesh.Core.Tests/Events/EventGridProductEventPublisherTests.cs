using System.Net;
using System.Text.Json;
using Azure;
using Azure.Core.Pipeline;
using Azure.Messaging.EventGrid;
using DataMesh.Events;

namespace DataMesh.Core.Tests.Events;

public sealed class EventGridProductEventPublisherTests
{
    [Fact]
    public async Task PublishAsync_ProductEvent_PostsItAsACloudEventsBatchToTheTopic()
    {
        // Arrange
        using var handler = new RecordingHandler();
        using var httpClient = new HttpClient(handler);
        var publisher = new EventGridProductEventPublisher(TopicClient(httpClient));
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2));

        // Act
        await publisher.PublishAsync(cloudEvent);

        // Assert
        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("mesh-topic.westeurope-1.eventgrid.azure.net", request.RequestUri!.Host);
        Assert.StartsWith("application/cloudevents-batch+json", request.Content!.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body);
        var sent = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("finance.ledger-emea/1.2.0/2", sent.GetProperty("id").GetString());
        Assert.Equal("/domains/finance/products/ledger-emea", sent.GetProperty("source").GetString());
        Assert.Equal(ProductEventTypes.ProductVersionPublished, sent.GetProperty("type").GetString());
        Assert.Equal(2, sent.GetProperty("data").GetProperty("release").GetInt32());
    }

    [Fact]
    public async Task PublishAsync_DomainAppWithDataEndpoint_StampsItAsTheDataendpointExtensionAttribute()
    {
        // Arrange
        using var handler = new RecordingHandler();
        using var httpClient = new HttpClient(handler);
        var publisher = new EventGridProductEventPublisher(TopicClient(httpClient), new Uri("https://func-finance.azurewebsites.net/"));

        // Act
        await publisher.PublishAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2)));
        await publisher.PublishAsync(ProductEventFactory.CreateQualityCheckFailed(SampleEvents.QualityFailed()));

        // Assert: every event the domain app announces says where its data is served.
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r =>
        {
            using var document = JsonDocument.Parse(r.Body);
            var sent = Assert.Single(document.RootElement.EnumerateArray());
            Assert.Equal("https://func-finance.azurewebsites.net/", sent.GetProperty("dataendpoint").GetString());
        });
    }

    /// <summary>The SDK's client for a mesh topic, sending through <paramref name="httpClient"/>, no retries.</summary>
    private static EventGridPublisherClient TopicClient(HttpClient httpClient) => new(
        new Uri("https://mesh-topic.westeurope-1.eventgrid.azure.net/api/events"),
        new AzureKeyCredential("test-key"),
        new EventGridPublisherClientOptions { Transport = new HttpClientTransport(httpClient), Retry = { MaxRetries = 0 } });

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request, body));
            return new HttpResponseMessage(HttpStatusCode.OK);
        }
    }
}
