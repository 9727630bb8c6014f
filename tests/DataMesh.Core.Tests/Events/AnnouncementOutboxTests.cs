using Azure.Messaging;
using DataMesh.Events;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Events;

[Collection("azurite")]
public sealed class AnnouncementOutboxTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AddAsync_EventLargerThanAQueueMessage_RefusedNamingItsSizeAndNothingRecorded()
    {
        // Arrange: an event built around the factory's budget, 100 KB of data (a queue message holds 64 KiB).
        var storage = azurite.CreateMeshStorage();
        var outbox = new AnnouncementOutbox(storage);
        var oversized = new CloudEvent("/domains/finance/products/ledger-emea", ProductEventTypes.PipelineRunFailed, BinaryData.FromString($"{{\"padding\":\"{new string('p', 100_000)}\"}}"), "application/json", CloudEventDataFormat.Json)
        {
            Id = "run-big/" + ProductEventTypes.PipelineRunFailed,
        };

        // Act
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => outbox.AddAsync(oversized));

        // Assert
        Assert.Contains($"at most {ProductEventBudget.MaxEventBytes}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }
}
