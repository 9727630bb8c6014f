using Azure.Messaging.EventGrid;
using DataMesh.Triggers;

namespace DataMesh.Functions.Tests.Triggers;

public sealed class BlobCreatedRouterTests
{
    private readonly BlobCreatedRouter _finance = new(SampleMesh.Products(), SampleMesh.AzureStorage(), "finance");

    public enum BodyForm
    {
        Raw,
        Base64,
    }

    [Theory]
    [InlineData(BodyForm.Raw)]
    [InlineData(BodyForm.Base64)]
    public void Route_LedgerArrival_StartsLedgerRunForThatBlob(BodyForm form)
    {
        // Arrange
        var body = form == BodyForm.Raw ? BlobEvents.LedgerArrival : BlobEvents.Base64(BlobEvents.LedgerArrival);

        // Act
        var route = _finance.Route(body);

        // Assert
        Assert.True(route.StartsRun, route.Reason);
        Assert.Equal(SampleMesh.Ledger, route.Request.ProductId);
        Assert.Equal([BlobEvents.LedgerBlobName], route.Request.LandingBlobs);
        Assert.Equal(BlobCreatedRouter.BlobTrigger, route.Request.Trigger);
        Assert.StartsWith(SampleMesh.Ledger + "-", route.Request.RunId, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_EventParsedByEventGridSdk_StartsTheSameRunAsTheQueueBody()
    {
        // Arrange
        var parsed = EventGridEvent.Parse(BinaryData.FromString(BlobEvents.LedgerArrival));

        // Act
        var fromEvent = _finance.Route(parsed);
        var fromBody = _finance.Route(BlobEvents.LedgerArrival);

        // Assert
        Assert.Equal(fromBody.Request!.RunId, fromEvent.Request!.RunId);
        Assert.Equal(fromBody.Request.ProductId, fromEvent.Request.ProductId);
        Assert.Equal(fromBody.Request.LandingBlobs, fromEvent.Request.LandingBlobs);
    }

    [Theory]
    [InlineData(BodyForm.Raw)]
    [InlineData(BodyForm.Base64)]
    public async Task Route_SameArrivalInCloudEventsSchema_StartsTheSameRunThroughEitherRouter(BodyForm form)
    {
        // Arrange: the delivery an Event Grid subscription with eventDeliverySchema CloudEventSchemaV1_0 writes.
        var grid = System.Text.Json.Nodes.JsonNode.Parse(BlobEvents.LedgerArrival)!;
        var cloudEvent = new System.Text.Json.Nodes.JsonObject
        {
            ["specversion"] = "1.0",
            ["type"] = "Microsoft.Storage.BlobCreated",
            ["source"] = (string?)grid["topic"],
            ["id"] = (string?)grid["id"],
            ["time"] = (string?)grid["eventTime"],
            ["subject"] = (string?)grid["subject"],
            ["data"] = grid["data"]!.DeepClone(),
        }.ToJsonString();
        var body = form == BodyForm.Raw ? cloudEvent : BlobEvents.Base64(cloudEvent);
        var pipelineRouter = new PipelineTriggerRouter(SampleMesh.Products(), SampleMesh.AzureStorage(), "finance");

        // Act
        var fromGridSchema = _finance.Route(BlobEvents.LedgerArrival);
        var fromBlobRouter = _finance.Route(body);
        var fromPipelineRouter = Assert.Single(await pipelineRouter.RouteAsync(body));

        // Assert
        Assert.True(fromBlobRouter.StartsRun, fromBlobRouter.Reason);
        Assert.Equal(fromGridSchema.Request!.RunId, fromBlobRouter.Request!.RunId);
        Assert.Equal(fromGridSchema.Request.RunId, fromPipelineRouter.Request!.RunId);
        Assert.Equal([BlobEvents.LedgerBlobName], fromPipelineRouter.Request.LandingBlobs);
    }

    [Theory]
    [InlineData("ledger/emea/2026-11.csv", SampleMesh.Ledger)]
    [InlineData("ledger/emea/adjustments/2026-11.csv", SampleMesh.Adjustments)]
    [InlineData("ledger/emea/adjustments-late/2026-11.csv", SampleMesh.Ledger)]
    public void Route_NestedLandingPaths_LongestPathWins(string blobName, string expectedProduct)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery(blobName));

        // Assert
        Assert.True(route.StartsRun, route.Reason);
        Assert.Equal(expectedProduct, route.Request.ProductId);
        Assert.Equal([blobName], route.Request.LandingBlobs);
    }

    [Theory]
    [InlineData("PutBlob")]
    [InlineData("PutBlockList")]
    [InlineData("FlushWithClose")]
    [InlineData("CopyBlob")]
    public void Route_CommittedBlobApi_StartsRun(string api)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", api: api));

        // Assert
        Assert.True(route.StartsRun, route.Reason);
    }

    [Theory]
    [InlineData("CreateFile")]
    [InlineData("FlushWithoutClose")]
    [InlineData("PutBlockFromURL")]
    public void Route_UncommittedBlobApi_Drops(string api)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", api: api));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains(api, route.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("products")]
    [InlineData("quarantine")]
    [InlineData("staging")]
    [InlineData("finance-landing")]
    public void Route_BlobOutsideLandingContainer_Drops(string container)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", container: container));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains($"'{container}'", route.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ledger/latam/2026-11.csv")]
    [InlineData("ledger/emea")]
    [InlineData("readme.txt")]
    public void Route_BlobUnderNoLandingPath_DropsNamingTheBlob(string blobName)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery(blobName));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains(blobName, route.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_FolderMarker_Drops()
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery("ledger/emea/2026/"));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains("folder", route.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_OtherDomainsProductPath_Drops()
    {
        // Arrange: the finance account's landing container never starts supply-chain products.
        var delivery = BlobEvents.Delivery("wms/stock/stock_2026-11-24.csv");

        // Act
        var route = _finance.Route(delivery);

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains("domain 'finance'", route.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Microsoft.Storage.BlobDeleted")]
    [InlineData("Microsoft.Storage.BlobTierChanged")]
    [InlineData("Microsoft.Storage.DirectoryCreated")]
    public void Route_OtherEventType_Drops(string eventType)
    {
        // Act
        var route = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", eventType: eventType));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains(eventType, route.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_DuplicateDeliveryOfOneWrite_SameRunId()
    {
        // Arrange: Event Grid redelivers the same event; a second subscription may deliver it Base64-encoded.
        var first = BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "0x8DE0000000000001");
        var second = BlobEvents.Base64(BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "0x8DE0000000000001"));

        // Act
        var a = _finance.Route(first);
        var b = _finance.Route(second);

        // Assert
        Assert.Equal(a.Request!.RunId, b.Request!.RunId);
    }

    [Fact]
    public void Route_SameBlobRewritten_NewRunId()
    {
        // Act
        var before = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "0x8DE0000000000001"));
        var after = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "0x8DE0000000000002"));

        // Assert
        Assert.NotEqual(before.Request!.RunId, after.Request!.RunId);
    }

    [Fact]
    public void Route_SameEtagOnAnotherBlob_NewRunId()
    {
        // Act
        var one = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv"));
        var other = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-12.csv"));

        // Assert
        Assert.NotEqual(one.Request!.RunId, other.Request!.RunId);
    }

    [Fact]
    public void RunId_LongProductIdAndOddEtag_IsAValidInstanceId()
    {
        // Act
        var runId = LandingBlobIdentity.From(new Uri("https://x.blob.core.windows.net/landing/x"), "landing", "a b#c?d", "\"0x8DE\"").RunId(new string('d', 40) + "." + new string('n', 80));

        // Assert: Durable Functions instance ids are at most 100 characters, without '/', '\', '#' or '?'.
        Assert.InRange(runId.Length, 1, 100);
        Assert.DoesNotContain(runId, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
        Assert.Equal(runId, LandingBlobIdentity.From(new Uri("https://x.blob.core.windows.net/landing/a%20b%23c%3Fd"), "landing", "a b#c?d", "0x8DE").RunId(new string('d', 40) + "." + new string('n', 80)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/landing/ledger/emea/2026-11.csv", "http://127.0.0.1:53117/devstoreaccount1/landing/ledger/emea/2026-11.csv")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1/landing/ledger/emea/2026-11.csv", "http://localhost:41999/devstoreaccount1/landing/ledger/emea/2026-11.csv")]
    [InlineData("https://stfinance.blob.core.windows.net/landing/ledger/emea/2026-11.csv", "https://STFINANCE.blob.core.windows.net:443/landing/ledger/emea/2026-11.csv")]
    public void Route_RedeliveryNamingAnotherEndpointOfTheSameAccount_SameRunId(string firstUrl, string secondUrl)
    {
        // Arrange: the local mesh's Azurite takes a new port at each start; the blob and its version are the same.
        var first = BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "0x8DE0000000000001", url: firstUrl);
        var second = BlobEvents.Delivery("ledger/emea/2026-11.csv", eTag: "\"0x8DE0000000000001\"", url: secondUrl);

        // Act
        var a = _finance.Route(first);
        var b = _finance.Route(second);

        // Assert
        Assert.Equal(a.Request!.RunId, b.Request!.RunId);
    }

    [Fact]
    public void Route_SameNameAndEtagInAnotherAccount_NewRunId()
    {
        // Act
        var one = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", url: "http://127.0.0.1:10000/devstoreaccount1/landing/ledger/emea/2026-11.csv"));
        var other = _finance.Route(BlobEvents.Delivery("ledger/emea/2026-11.csv", url: "http://127.0.0.1:10000/finance/landing/ledger/emea/2026-11.csv"));

        // Assert
        Assert.NotEqual(one.Request!.RunId, other.Request!.RunId);
    }

    [Fact]
    public async Task RouteAsync_ReleaseReadByAnotherDomainOnly_StartsNothingInThisDomainsApp()
    {
        // Arrange: finance.revenue-global reads the EMEA ledger; the supply-chain app holds that spec too but must not run it.
        var published = DataMesh.Events.ProductEventFactory.CreateProductVersionPublished(new DataMesh.Events.ProductVersionPublishedData
        {
            ProductId = SampleMesh.Ledger,
            Domain = "finance",
            Name = "ledger-emea",
            Version = "1.0.0",
            Release = 4,
            RunId = "run-1",
            Location = "https://stfinance.blob.core.windows.net/products/ledger-emea/1.0.0/4/",
            Rows = 10,
            SchemaHash = "h",
            Quality = new DataMesh.Pipeline.QualitySummary(true, 10, []),
            PublishedAt = DateTimeOffset.UnixEpoch,
        });
        var body = System.Text.Json.JsonSerializer.Serialize(published);
        var supplyChainApp = new PipelineTriggerRouter(SampleMesh.Products(), SampleMesh.AzureStorage(), "supply-chain");

        // Act
        var routes = await supplyChainApp.RouteAsync(body);

        // Assert: without the domain filter it would try to build revenue-global (and reach for the finance storage).
        Assert.Empty(routes);
    }

    [Fact]
    public void Route_ProductEventOnTriggerQueue_Drops()
    {
        // Arrange: upstream product events share the queue and use the CloudEvents schema.
        const string productEvent = """
            {"specversion":"1.0","type":"DataMesh.ProductVersionPublished","source":"/domains/treasury/products/fx-rates",
             "id":"e-1","subject":"treasury.fx-rates/1.0.0/4","datacontenttype":"application/json","data":{"productId":"treasury.fx-rates"}}
            """;

        // Act
        var route = _finance.Route(BlobEvents.Base64(productEvent));

        // Assert
        Assert.False(route.StartsRun);
        Assert.Contains("DataMesh.ProductVersionPublished", route.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an event")]
    [InlineData("{\"hello\":\"world\"}")]
    public void Route_MalformedBody_ThrowsFormatException(string body)
    {
        // Act and assert: the message goes to the poison queue after its retries.
        Assert.Throws<FormatException>(() => _finance.Route(body));
    }

    [Fact]
    public void Route_BlobCreatedWithoutBlobSubject_ThrowsFormatException()
    {
        // Arrange
        var body = BlobEvents.LedgerArrival.Replace(
            "/blobServices/default/containers/landing/blobs/ledger/emea/gl_entries_2026-10.csv", "/blobServices/default/containers/landing", StringComparison.Ordinal);

        // Act
        var error = Assert.Throws<FormatException>(() => _finance.Route(body));

        // Assert
        Assert.Contains("subject", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Route_BlobCreatedWithoutEtag_ThrowsFormatException()
    {
        // Arrange
        var body = BlobEvents.LedgerArrival.Replace("\"eTag\": \"0x8DE1A2B3C4D5E6F\",", "", StringComparison.Ordinal);

        // Act and assert
        Assert.Throws<FormatException>(() => _finance.Route(body));
    }

    [Theory]
    [InlineData("finance-landing", "ledger/emea/2026-11.csv", SampleMesh.Ledger)]
    [InlineData("supply-chain-landing", "wms/stock/stock_2026-11-24.csv", SampleMesh.Stock)]
    public void Route_LocalMeshContainers_RouteEachDomain(string container, string blobName, string expectedProduct)
    {
        // Arrange: the local mesh shares one account, its containers carry the domain.
        var router = new BlobCreatedRouter(SampleMesh.Products(), SampleMesh.LocalStorage());

        // Act
        var route = router.Route(BlobEvents.Delivery(blobName, container: container, account: "devstoreaccount1"));

        // Assert
        Assert.True(route.StartsRun, route.Reason);
        Assert.Equal(expectedProduct, route.Request.ProductId);
    }

    [Fact]
    public void Route_SharedLandingContainerWithoutDomain_ThrowsInvalidOperation()
    {
        // Arrange: plain 'landing' in one account cannot tell finance from supply-chain.
        var router = new BlobCreatedRouter(SampleMesh.Products(), SampleMesh.AzureStorage());

        // Act and assert
        Assert.Throws<InvalidOperationException>(() => router.Route(BlobEvents.LedgerArrival));
    }
}
