using System.Globalization;
using System.Text.Json;
using Azure.Messaging;
using DataMesh.Contracts;
using DataMesh.Core.Tests.Governance;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Events;

/// <summary>What a release changed, as its ProductVersionPublished event carries it: capped to the event budget, never a protected value.</summary>
public sealed class ReleaseChangeSummaryTests
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);

    [Fact]
    public void CreateProductVersionPublished_ReleaseOf10000Partitions_EventWithinBudgetListCappedAndCountGiven()
    {
        // Arrange: a backfill of 10,000 days (about 250 KB of partition names in the manifest)
        var spec = PartitionedLedger();
        var changes = new ReleaseChanges
        {
            Mode = OutputMode.Partitions,
            BasedOn = 7,
            RowsAdded = 1_000_000,
            RowsReplaced = 20_000,
            RowsRemoved = 5,
            Partitions = [.. Enumerable.Range(0, 10_000).Select(Day)],
            FilesWritten = 10_000,
            FilesReferenced = 3,
        };

        // Act
        var data = SampleEvents.Published(release: 8) with { Changes = ReleaseChangeSummary.From(changes, spec) };
        var json = JsonSerializer.SerializeToUtf8Bytes(ProductEventFactory.CreateProductVersionPublished(data));

        // Assert
        Assert.True(json.Length <= ProductEventBudget.MaxEventBytes, $"{json.Length} bytes");
        var back = ProductEventJson.ReadData<ProductVersionPublishedData>(CloudEvent.Parse(BinaryData.FromBytes(json))!);
        var summary = back.Changes!;
        Assert.Equal(ReleaseChangeSummary.MaxPartitions, summary.Partitions.Count);
        Assert.Equal(changes.Partitions.Take(ReleaseChangeSummary.MaxPartitions), summary.Partitions);
        Assert.Equal(10_000 - ReleaseChangeSummary.MaxPartitions, summary.PartitionsOmitted);
        Assert.Equal(("partitions", 7, 1_000_000L, 20_000L, 5L, 10_000, 3), (summary.Mode, summary.BasedOn, summary.RowsAdded, summary.RowsReplaced, summary.RowsRemoved, summary.FilesWritten, summary.FilesReferenced));
        Assert.Empty(back.Trimmed);
    }

    [Fact]
    public void CreateProductVersionPublished_UncappedPartitionListOverTheBudget_PartitionsDroppedCountedAndMarked()
    {
        // Arrange: a summary built by hand, past From's cap (another producer, an older one)
        var data = SampleEvents.Published(release: 2) with
        {
            Changes = new ReleaseChangeSummary { Mode = "partitions", RowsAdded = 10, Partitions = [.. Enumerable.Range(0, 10_000).Select(Day)] },
        };

        // Act
        var json = JsonSerializer.SerializeToUtf8Bytes(ProductEventFactory.CreateProductVersionPublished(data));

        // Assert
        Assert.True(json.Length <= ProductEventBudget.MaxEventBytes, $"{json.Length} bytes");
        var back = ProductEventJson.ReadData<ProductVersionPublishedData>(CloudEvent.Parse(BinaryData.FromBytes(json))!);
        Assert.Empty(back.Changes!.Partitions);
        Assert.Equal(10_000, back.Changes.PartitionsOmitted);
        Assert.Equal(10, back.Changes.RowsAdded);
        Assert.Contains("changes.partitions", back.Trimmed);
    }

    [Fact]
    public void From_PartitionNamesOnProtectedOrUndeclaredColumns_WithheldAndCounted()
    {
        // Arrange: a spec that bypassed the loader (DM1029) partitions by a pii and a masked column too; and a name on
        // a column it does not partition by reaches the summary anyway (an engine defect).
        var ledger = PartitionedLedger();
        var spec = ledger with { Output = ledger.Output with { PartitionBy = ["posted_on", "email", "iban"] } };
        var changes = new ReleaseChanges
        {
            Mode = OutputMode.Partitions,
            Partitions =
            [
                "posted_on=2026-11-02",
                "email=alice%40example.com",
                "posted_on=2026-11-03/email=bob%40example.com",
                "iban=DE89370400440532013000",
                "entity=DE01",
                "garbage",
            ],
        };

        // Act
        var summary = ReleaseChangeSummary.From(changes, spec);
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published() with { Changes = summary }));

        // Assert
        Assert.Equal(["posted_on=2026-11-02"], summary.Partitions);
        Assert.Equal(5, summary.PartitionsOmitted);
        Assert.DoesNotContain("example.com", json, StringComparison.Ordinal);
        Assert.DoesNotContain("DE89", json, StringComparison.Ordinal);
        Assert.DoesNotContain("DE01", json, StringComparison.Ordinal);
    }

    [Fact]
    public void From_ReplaceReleaseWithoutPartitions_ModeAndCountsAsRecorded()
    {
        // Arrange
        var changes = new ReleaseChanges { Mode = OutputMode.Replace, RowsAdded = 40, RowsRemoved = 30, FilesWritten = 1 };

        // Act
        var summary = ReleaseChangeSummary.From(changes, Products.Get("finance.ledger-emea"));

        // Assert
        Assert.Equal(("replace", (int?)null, 40L, 0L, 30L, 0, 0), (summary.Mode, summary.BasedOn, summary.RowsAdded, summary.RowsReplaced, summary.RowsRemoved, summary.Partitions.Count, summary.PartitionsOmitted));
    }

    private static string Day(int i) => "posted_on=" + new DateOnly(2000, 1, 1).AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The sample EMEA ledger partitioned by posted_on, its contract with a pii column and a masked one beside it.</summary>
    internal static ProductSpec PartitionedLedger()
    {
        var spec = Products.Get("finance.ledger-emea");
        var schema = spec.Contract.Schema[0];
        return spec with
        {
            Output = spec.Output with { Mode = OutputMode.Partitions, PartitionBy = ["posted_on"] },
            Contract = spec.Contract with
            {
                Schema =
                [
                    schema with
                    {
                        Properties =
                        [
                            .. schema.Properties,
                            new ContractProperty { Name = "email", Classification = "pii" },
                            new ContractProperty { Name = "iban", Classification = "internal", Masking = "hash" },
                        ],
                    },
                    .. spec.Contract.Schema.Skip(1),
                ],
            },
        };
    }
}
