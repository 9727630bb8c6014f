using DataMesh.Catalog;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Catalog;

public sealed class CatalogJsonTests
{
    [Fact]
    public void SerializeQuality_Small_KeepsEveryRule()
    {
        // Arrange
        var quality = new QualitySummary(true, 10, [Rule(0, passed: true), Rule(1, passed: true)]);

        // Act
        var (json, omitted) = CatalogJson.SerializeQuality(quality);

        // Assert
        Assert.Equal(0, omitted);
        Assert.Equal(quality.Rules, CatalogJson.Deserialize<QualitySummary>(json).Rules);
    }

    [Fact]
    public void SerializeQuality_BeyondPropertyLimit_FitsAndKeepsFailedRulesFirst()
    {
        // Arrange
        var rules = Enumerable.Range(0, 2_000).Select(i => Rule(i, passed: i % 100 != 99)).ToList();
        var quality = new QualitySummary(false, 1_000_000, rules);

        // Act
        var (json, omitted) = CatalogJson.SerializeQuality(quality);

        // Assert
        Assert.InRange(json.Length, 1, CatalogJson.MaxStringLength);
        var kept = CatalogJson.Deserialize<QualitySummary>(json);
        Assert.Equal(2_000, kept.Rules.Count + omitted);
        Assert.True(omitted > 0);
        Assert.All(kept.Rules.Take(20), r => Assert.False(r.Passed));
        Assert.False(kept.Passed);
    }

    [Fact]
    public void SerializeList_BeyondPropertyLimit_IsValidJsonAndCountsOmitted()
    {
        // Arrange
        var blobs = Enumerable.Range(0, 1_000).Select(i => new LandingBlob("landing", $"ledger/emea/{i:D6}-{new string('x', 80)}.csv", "\"0x1\"", i, "ab")).ToList();

        // Act
        var (json, omitted) = CatalogJson.SerializeList<LandingBlob>(blobs);

        // Assert
        Assert.InRange(json.Length, 1, CatalogJson.MaxStringLength);
        var kept = CatalogJson.Deserialize<List<LandingBlob>>(json);
        Assert.Equal(1_000, kept.Count + omitted);
        Assert.Equal(blobs.Take(kept.Count), kept);
    }

    [Fact]
    public void Truncate_LongTextEndingInSurrogatePairs_FitsAndDoesNotSplitAPair()
    {
        // Arrange
        // One ASCII character first, so the cut would land between the halves of a pair.
        var text = "a" + string.Concat(Enumerable.Repeat("\U0001F4A5", CatalogJson.MaxStringLength));

        // Act
        var truncated = CatalogJson.Truncate(text);

        // Assert
        Assert.InRange(truncated.Length, 1, CatalogJson.MaxStringLength);
        Assert.EndsWith("[truncated]", truncated, StringComparison.Ordinal);
        var kept = truncated[..truncated.IndexOf(' ', StringComparison.Ordinal)];
        Assert.True(char.IsSurrogatePair(kept[^2], kept[^1]));
    }

    [Fact]
    public void Truncate_ShortText_ReturnsItUnchanged()
    {
        // Act
        var text = CatalogJson.Truncate("column \"amout\" not found");

        // Assert
        Assert.Equal("column \"amout\" not found", text);
    }

    private static QualityRuleResult Rule(int i, bool passed) =>
        new($"rule_{i:D4}", "amount", "nullCount", "error", passed ? 0m : 7m, "rows", $"= 0 ({new string('-', 40)})", passed, passed ? 0 : 7);
}
