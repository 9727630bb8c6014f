using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Messaging;
using Azure.Storage.Blobs.Models;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Local.Durable;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Quarantine;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Landing blob names the platform cannot process (a control character, which Azurite cannot list; a very long name)
/// are quarantined under a safe name with their reason, and never stop a host.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class LandingNameTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("ln" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Serve_LandingBlobNamedWithAControlCharacter_KeepsServingAndPublishesTheOtherFiles()
    {
        // Arrange: a good file, then one whose name Azurite cannot list (its listing answers 500).
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var landing = mesh.Storage.Landing(_product.Domain);
        var store = new ReleaseStore(mesh.Storage.Products(_product.Domain));
        using var stop = new CancellationTokenSource();
        var serving = mesh.ServeAsync(stop.Token);
        try
        {
            await landing.GetBlobClient("orders/a.csv").UploadAsync(_product.WriteOrders("a.csv", rows: 10));
            await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count == 1, serving);
            await landing.GetBlobClient("orders/bell\u0007.csv").UploadAsync(_product.WriteOrders("bell.csv", rows: 10, idOffset: 100));

            // Act: a file dropped after it (listed before it: 'b.csv' sorts first) is still seen and published.
            await landing.GetBlobClient("orders/b.csv").UploadAsync(_product.WriteOrders("b.csv", rows: 10, idOffset: 200));

            // Assert
            await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count == 2, serving);
            Assert.False(serving.IsCompleted, serving.Exception?.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await serving;
        }
    }

    [Theory]
    [InlineData("orders/CONTROL.csv", "control characters")]
    [InlineData("orders/LONG.csv", "over the limit of 512")]
    [InlineData("orders/SEGMENT.csv", "a segment of 260 characters, over the limit of 200")]
    public async Task Drop_UnprocessableName_QuarantinedUnderASafeNameWithItsReason(string name, string reason)
    {
        // Arrange: a real blob of that name, announced as Event Grid would.
        name = name.Replace("CONTROL", "bell\u0007esc\u001b", StringComparison.Ordinal)
            .Replace("LONG", string.Join('/', Enumerable.Repeat(new string('n', 150), 6)), StringComparison.Ordinal)
            .Replace("SEGMENT", new string('s', 256), StringComparison.Ordinal);
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var blob = mesh.Storage.Landing(_product.Domain).GetBlobClient(name);
        await blob.UploadAsync(_product.WriteOrders("odd.csv", rows: 10));

        // Act
        await LandingNotifier.NotifyAsync(mesh.Storage, blob);
        var result = Assert.Single(await mesh.SettleAsync(TimeSpan.FromMinutes(3)));

        // Assert: refused with its reason, moved out of landing, under a safe name the quarantine can list.
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Equal([name], result.Quarantined);
        Assert.False(await blob.ExistsAsync());
        var quarantined = new List<string>();
        await foreach (var item in mesh.Storage.Quarantine(_product.Domain).GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null, CancellationToken.None))
        {
            quarantined.Add(item.Name);
        }

        var safe = LandingBlobNames.QuarantineName(name);
        Assert.StartsWith(LandingBlobNames.RefusedNamesFolder, safe, StringComparison.Ordinal);
        Assert.Equal([safe, safe + ".error.json"], quarantined.Order(StringComparer.Ordinal));
        var error = (await mesh.Storage.Quarantine(_product.Domain).GetBlobClient(safe + ".error.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.Contains(System.Text.Json.JsonSerializer.Serialize(name), error, StringComparison.Ordinal);
        Assert.Empty(await new ReleaseStore(mesh.Storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
    }

    [Fact]
    public async Task CatalogApi_HubAndDomainQuarantineLists_SayAlikeWhichFileCanBeReplayedAndWhyNot()
    {
        // Arrange: real runs quarantine a file that failed the quality gate (a duplicate id) and one whose landing name
        // is refused (a control character).
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var failed = await mesh.RunAsync(_product.Id, [_product.WriteOrders("dup.csv", rows: 10, "3,dup,1.00,open")]);
        Assert.True(failed.Status == PipelineStatus.QualityFailed, failed.Error);
        var refused = mesh.Storage.Landing(_product.Domain).GetBlobClient("orders/bell\u0007.csv");
        await refused.UploadAsync(_product.WriteOrders("bell.csv", rows: 10));
        await LandingNotifier.NotifyAsync(mesh.Storage, refused);
        Assert.Equal(PipelineStatus.Failed, Assert.Single(await mesh.SettleAsync(TimeSpan.FromMinutes(3))).Status);
        var path = $"/api/products/{_product.Id}/quarantine";
        var hubApi = new CatalogHttpApi(mesh.Catalog);

        // Act: the domain's answer (it reads its quarantine container) and the hub's (the catalog only, from the failure
        // announcements), once the catalog recorded both.
        var domain = await new CatalogHttpApi(mesh.Catalog, quarantine: mesh.Quarantine).HandleAsync("GET", path, "", DataReader.Operator);
        CatalogApiResponse? hub = null;
        await WaitUntilAsync(async () => Items(hub = await hubApi.HandleAsync("GET", path, "", DataReader.Operator)).Count == 2, Task.Delay(Timeout.Infinite));

        // Assert: the same files, and the same word on each: the quality failure can be replayed, the refused name not.
        Assert.Equal("catalog", JsonDocument.Parse(hub!.Body).RootElement.GetProperty("source").GetString());
        var fromDomain = Items(domain);
        var fromHub = Items(hub);
        Assert.Equal(fromDomain, fromHub);
        Assert.Equal((true, (string?)null, false), fromHub["orders/dup.csv"]);
        var (replayable, why, kept) = fromHub[LandingBlobNames.QuarantineName("orders/bell\u0007.csv")];
        Assert.False(replayable);
        Assert.False(kept);
        Assert.Contains("landing name was refused (control characters)", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NameWithDotSegmentsLeftInLanding_AnnouncedUnderItsSafeNameAndListedByTheHubAsTheDomainListsIt()
    {
        // Arrange: a run over a landing name with '..' segments (and a control character), which the quarantine cannot
        // move: it records why and leaves the blob. The pipeline host's announcements are kept as sent.
        const string name = "orders/../jane-doe\u0007salary.csv";
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var announced = new ConcurrentQueue<CloudEvent>();
        var runtime = new PipelineRuntime(mesh.Storage, mesh.Products, new RecordingPublisher(mesh.Events, announced), new PipelineOptions { WorkDirectory = Path.Combine(_product.Root, "pipeline-host") })
        {
            DomainStorage = mesh.PipelineStorage,
        };
        await using var engine = await LocalDurableEngine.StartAsync(mesh.ConnectionString, "LandingNameHost" + AzuriteFixture.CreateNamespace(), runtime);
        var request = new PipelineRequest { RunId = "dots-" + Guid.NewGuid().ToString("N")[..8], ProductId = _product.Id, LandingBlobs = [name] };

        // Act
        await engine.ScheduleAsync(request);
        var result = await engine.WaitAsync(request.RunId, TimeSpan.FromMinutes(2));
        await mesh.ProcessCatalogEventsAsync();
        var path = $"/api/products/{_product.Id}/quarantine";
        var domain = await new CatalogHttpApi(mesh.Catalog, quarantine: mesh.Quarantine).HandleAsync("GET", path, "", DataReader.Operator);
        var hub = await new CatalogHttpApi(mesh.Catalog).HandleAsync("GET", path, "", DataReader.Operator);

        // Assert: the announcement names the file by its safe quarantine name only, kept in landing, not replayable;
        // the hub lists it as the domain's own list does.
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal([name], result.KeptInLanding);
        var failure = Assert.Single(announced, e => e.Type == ProductEventTypes.PipelineRunFailed);
        var json = JsonSerializer.Serialize(failure);
        var safe = LandingBlobNames.QuarantineName(name);
        foreach (var form in new[] { name, JsonSerializer.Serialize(name).Trim('"'), LandingBlobNames.Printable(name), "orders/../", "jane-doe\\u0007" })
        {
            Assert.DoesNotContain(form, json, StringComparison.Ordinal);
        }

        var file = Assert.Single(failure.Data!.ToObjectFromJson<PipelineRunFailedData>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!.QuarantinedFiles);
        Assert.Equal(new QuarantinedInput(safe, safe, Replayable: false, QuarantineClient.NotReplayableReason(name, fileHere: false), KeptInLanding: true), file);
        var fromHub = Items(hub);
        Assert.Equal(Items(domain), fromHub);
        var (replayable, why, kept) = fromHub[safe];
        Assert.False(replayable);
        Assert.Contains("the file was left in landing", why, StringComparison.Ordinal);
        Assert.True(kept);
        Assert.DoesNotContain("orders/../", hub.Body, StringComparison.Ordinal);
    }

    /// <summary>Each listed file with whether it can be replayed, why not, and whether it stayed in landing.</summary>
    private static Dictionary<string, (bool? Replayable, string? NotReplayable, bool? KeptInLanding)> Items(CatalogApiResponse response)
    {
        Assert.True(response.StatusCode == 200, response.Body);
        return JsonDocument.Parse(response.Body).RootElement.GetProperty("items").EnumerateArray().ToDictionary(
            i => i.GetProperty("file").GetString()!,
            i => (Flag(i.GetProperty("replayable")), i.GetProperty("notReplayable").GetString(), Flag(i.GetProperty("keptInLanding"))));
    }

    private static bool? Flag(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetBoolean();

    /// <summary>Sends through <paramref name="inner"/> and keeps each event it sent.</summary>
    private sealed class RecordingPublisher(IProductEventPublisher inner, ConcurrentQueue<CloudEvent> sent) : IProductEventPublisher
    {
        public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
        {
            await inner.PublishAsync(cloudEvent, cancellationToken);
            sent.Enqueue(cloudEvent);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Task serving, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.False(serving.IsCompleted, $"The mesh stopped serving: {serving.Exception}");
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s.");
            await Task.Delay(200);
        }
    }
}
