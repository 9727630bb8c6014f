using System.Text.Json;
using Azure.Messaging;
using DataMesh.Events;

namespace DataMesh.Core.Tests.Events;

public sealed class ProductEventFactoryTests
{
    [Fact]
    public void CreateQualityCheckFailed_SamplesAndLineageOverAQueueMessage_TrimmedToFitAndMarked()
    {
        // Arrange: 50 failed rules with 5 long samples each and 20 large OpenLineage events: ~600 KB of data.
        var data = SampleEvents.QualityFailed();
        IReadOnlyList<IReadOnlyDictionary<string, string?>> samples = [.. Enumerable.Range(0, 5).Select(_ => new Dictionary<string, string?> { ["note"] = new string('n', 2_000) })];
        var rules = Enumerable.Range(0, 50).Select(i => data.Quality!.Rules[0] with { Name = $"rule_{i}", Samples = samples }).ToList();
        var large = data with
        {
            Quality = data.Quality! with { Rules = rules },
            OpenLineage = [.. Enumerable.Range(0, 20).Select(_ => new System.Text.Json.Nodes.JsonObject { ["eventType"] = "FAIL", ["padding"] = new string('p', 5_000) })],
        };

        // Act
        var json = JsonSerializer.SerializeToUtf8Bytes(ProductEventFactory.CreateQualityCheckFailed(large));
        var small = JsonSerializer.SerializeToUtf8Bytes(ProductEventFactory.CreateQualityCheckFailed(data));

        // Assert
        Assert.True(json.Length <= ProductEventBudget.MaxEventBytes, $"{json.Length} bytes");
        var parsed = ProductEventJson.ReadData<QualityCheckFailedData>(CloudEvent.Parse(BinaryData.FromBytes(json))!);
        Assert.Equal(["quality.samples.values", "openLineage.facets", "quality.samples", "openLineage"], parsed.Trimmed);
        Assert.Equal(50, parsed.Quality!.Rules.Count);
        Assert.Equal(data.Error, parsed.Error);
        Assert.Empty(ProductEventJson.ReadData<QualityCheckFailedData>(CloudEvent.Parse(BinaryData.FromBytes(small))!).Trimmed);
    }

    [Fact]
    public void CreateProductVersionPublished_RoundTripThroughJson_KeepsContractAttributesAndData()
    {
        // Arrange
        var data = SampleEvents.Published(version: "1.2.0", release: 3);

        // Act
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(data));
        var parsed = CloudEvent.Parse(BinaryData.FromString(json))!;

        // Assert
        using (var document = JsonDocument.Parse(json))
        {
            Assert.Equal("1.0", document.RootElement.GetProperty("specversion").GetString());
        }

        Assert.Equal("DataMesh.ProductVersionPublished", parsed.Type);
        Assert.Equal("/domains/finance/products/ledger-emea", parsed.Source);
        Assert.Equal("finance.ledger-emea/1.2.0/3", parsed.Subject);
        Assert.Equal("finance.ledger-emea/1.2.0/3", parsed.Id);
        Assert.Equal(data.PublishedAt, parsed.Time);
        Assert.Equal("application/json", parsed.DataContentType);
        var back = ProductEventJson.ReadData<ProductVersionPublishedData>(parsed);
        Assert.Equal((data.ProductId, data.Version, data.Release, data.RunId, data.Rows, data.Location), (back.ProductId, back.Version, back.Release, back.RunId, back.Rows, back.Location));
        Assert.Equal(data.Quality.Rules, back.Quality.Rules);
        Assert.Equal(data.Upstream, back.Upstream);
        Assert.Equal(data.Landing, back.Landing);
    }

    [Fact]
    public void CreateProductVersionPublished_Data_IsCamelCaseJsonObject()
    {
        // Arrange
        var data = SampleEvents.Published();

        // Act
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(data)));

        // Assert
        var payload = document.RootElement.GetProperty("data");
        Assert.Equal(JsonValueKind.Object, payload.ValueKind);
        Assert.Equal("finance.ledger-emea", payload.GetProperty("productId").GetString());
        Assert.Equal("treasury.fx-rates", payload.GetProperty("upstream")[0].GetProperty("productId").GetString());
        Assert.False(document.RootElement.TryGetProperty("data_base64", out _));
    }

    [Fact]
    public void CreateProductVersionPublished_RetriedPublish_HasSameSourceAndId()
    {
        // Arrange
        var first = SampleEvents.Published(release: 2);
        var retry = first with { PublishedAt = first.PublishedAt.AddSeconds(30) };

        // Act
        var a = ProductEventFactory.CreateProductVersionPublished(first);
        var b = ProductEventFactory.CreateProductVersionPublished(retry);

        // Assert
        Assert.Equal((a.Source, a.Id), (b.Source, b.Id));
    }

    [Fact]
    public void CreateQualityCheckFailed_RoundTripThroughJson_HasRunSubjectAndDeterministicId()
    {
        // Arrange
        var data = SampleEvents.QualityFailed(runId: "run-q1");

        // Act
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateQualityCheckFailed(data));
        var parsed = CloudEvent.Parse(BinaryData.FromString(json))!;

        // Assert
        Assert.Equal("DataMesh.QualityCheckFailed", parsed.Type);
        Assert.Equal("/domains/finance/products/ledger-emea", parsed.Source);
        Assert.Equal("finance.ledger-emea/1.2.0/runs/run-q1", parsed.Subject);
        Assert.Equal("run-q1/DataMesh.QualityCheckFailed", parsed.Id);
        Assert.Equal(data.FailedAt, parsed.Time);
        var back = ProductEventJson.ReadData<QualityCheckFailedData>(parsed);
        Assert.Equal("quality", back.Stage);
        Assert.Equal(data.Quarantined, back.Quarantined);
        Assert.False(back.Quality!.Passed);
        Assert.Equal(data.Quality!.Rules, back.Quality.Rules);
    }

    [Fact]
    public void CreatePipelineRunFailed_RoundTripThroughJson_HasRunSubjectAndDeterministicId()
    {
        // Arrange
        var data = SampleEvents.RunFailed(runId: "run-f1");

        // Act
        var parsed = CloudEvent.Parse(BinaryData.FromString(JsonSerializer.Serialize(ProductEventFactory.CreatePipelineRunFailed(data))))!;

        // Assert
        Assert.Equal("DataMesh.PipelineRunFailed", parsed.Type);
        Assert.Equal("finance.ledger-emea/1.2.0/runs/run-f1", parsed.Subject);
        Assert.Equal("run-f1/DataMesh.PipelineRunFailed", parsed.Id);
        var back = ProductEventJson.ReadData<PipelineRunFailedData>(parsed);
        Assert.Equal(("transform", data.Error), (back.Stage, back.Error));
        Assert.Null(back.Quality);
        Assert.Empty(back.Quarantined);
    }

    [Fact]
    public void CreateProductVersionPublished_ProductIdNotDomainDotName_ThrowsArgumentException()
    {
        // Arrange
        var data = SampleEvents.Published() with { ProductId = "finance.ledger" };

        // Act
        var error = Assert.Throws<ArgumentException>(() => ProductEventFactory.CreateProductVersionPublished(data));

        // Assert
        Assert.Contains("finance.ledger-emea", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadData_DataMissingRequiredMembers_ThrowsFormatExceptionNamingTheType()
    {
        // Arrange
        var cloudEvent = new CloudEvent(
            ProductEventTypes.Source("finance", "ledger-emea"),
            ProductEventTypes.ProductVersionPublished,
            BinaryData.FromString("""{"productId":"finance.ledger-emea"}"""),
            "application/json",
            CloudEventDataFormat.Json);

        // Act
        var error = Assert.Throws<FormatException>(() => ProductEventJson.ReadData<ProductVersionPublishedData>(cloudEvent));

        // Assert
        Assert.Contains(nameof(ProductVersionPublishedData), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadData_NullForRequiredString_ThrowsFormatException()
    {
        // Arrange
        var json = JsonSerializer.Serialize(SampleEvents.RunFailed(), ProductEventJson.Options).Replace("\"stage\":\"transform\"", "\"stage\":null", StringComparison.Ordinal);
        var cloudEvent = new CloudEvent(
            ProductEventTypes.Source("finance", "ledger-emea"),
            ProductEventTypes.PipelineRunFailed,
            BinaryData.FromString(json),
            "application/json",
            CloudEventDataFormat.Json);

        // Act
        var error = Assert.Throws<FormatException>(() => ProductEventJson.ReadData<PipelineRunFailedData>(cloudEvent));

        // Assert
        Assert.Contains("stage", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
