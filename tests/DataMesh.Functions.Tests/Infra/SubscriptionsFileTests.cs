using System.Text.Json;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Functions.Tests.Infra;

/// <summary>
/// <c>infra/generated/subscriptions.json</c> (loaded by <c>infra/main.bicep</c>) is exactly what <c>datamesh infra</c>
/// generates from the repository's specs, so the deployed subscriptions can never drift from the products.
/// </summary>
public sealed class SubscriptionsFileTests
{
    private static readonly IReadOnlyCollection<ProductSpec> Products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines")).All;

    [Fact]
    public void CommittedFile_RepositorySpecs_EqualsTheGeneratedFile()
    {
        // Arrange
        var committed = File.ReadAllText(RepositoryRoot.Combine("infra", "generated", "subscriptions.json")).ReplaceLineEndings("\n");

        // Act
        var generated = UpstreamSubscriptionsFile.Generate(Products);

        // Assert
        Assert.True(
            committed == generated,
            $"infra/generated/subscriptions.json is stale: run `dotnet run --project src/DataMesh.Cli -- infra` and commit it.\nExpected:\n{generated}\nCommitted:\n{committed}");
    }

    [Fact]
    public void Generate_RepositorySpecs_ListsEveryDomainWithItsProductInputsIncludingItsOwn()
    {
        // Act
        using var file = JsonDocument.Parse(UpstreamSubscriptionsFile.Generate(Products));

        // Assert: revenue-global reads finance's own ledgers; their releases reach it only through the mesh topic.
        Assert.Equal(2, file.RootElement.GetProperty("version").GetInt32());
        var domains = file.RootElement.GetProperty("domains");
        Assert.Equal(Products.Select(p => p.Domain).Distinct().Order(StringComparer.Ordinal), domains.EnumerateObject().Select(d => d.Name));
        Assert.Equal(
            ["finance.ledger-amer", "finance.ledger-apac", "finance.ledger-emea"],
            domains.GetProperty("finance").GetProperty("upstreamProducts").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(
            ["marketing.campaign-performance", "sales.opportunities"],
            domains.GetProperty("sales").GetProperty("upstreamProducts").EnumerateArray().Select(p => p.GetString()));
        Assert.Empty(domains.GetProperty("marketing").GetProperty("upstreamProducts").EnumerateArray());
    }

    [Fact]
    public void Generate_ProductsInAnyOrder_WritesTheSameText()
    {
        // Arrange: an input read twice, and products given in reverse order.
        var revenue = Products.Single(p => p.Id == "finance.revenue-global");
        var doubled = revenue with { Name = "revenue-copy", Inputs = [.. revenue.Inputs.Reverse(), revenue.Inputs[0]] };

        // Act
        var forward = UpstreamSubscriptionsFile.Generate([.. Products, doubled]);
        var backward = UpstreamSubscriptionsFile.Generate([doubled, .. Products.Reverse()]);

        // Assert
        Assert.Equal(forward, backward);
        Assert.Equal(UpstreamSubscriptionsFile.Generate(Products), forward);
        Assert.EndsWith("}\n", forward, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_RepositorySpecs_ListsAdmittedConsumersPerUpstreamAndTheDomainsThatDeliverToEach()
    {
        // Act
        using var file = JsonDocument.Parse(UpstreamSubscriptionsFile.Generate(Products));
        var domains = file.RootElement.GetProperty("domains");

        // Assert: sales reads the restricted campaign-performance (readers: [sales]) and its own opportunities.
        Assert.Equal(["sales"], domains.GetProperty("marketing").GetProperty("consumers").EnumerateObject().Select(c => c.Name));
        Assert.Equal(
            ["marketing.campaign-performance"],
            domains.GetProperty("marketing").GetProperty("consumers").GetProperty("sales").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["marketing", "sales"], domains.GetProperty("sales").GetProperty("upstreamDomains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(
            ["finance.ledger-amer", "finance.ledger-apac", "finance.ledger-emea"],
            domains.GetProperty("finance").GetProperty("consumers").GetProperty("finance").EnumerateArray().Select(p => p.GetString()));
        Assert.Empty(domains.GetProperty("marketing").GetProperty("upstreamDomains").EnumerateArray());
    }

    [Fact]
    public void Generate_AccessNarrowedBelowAReader_NoConsumerEntryNorDeliveringDomain()
    {
        // Arrange: marketing stops sharing campaign-performance with sales; sales' spec still reads it.
        var narrowed = Products.Select(p => p.Id == "marketing.campaign-performance"
            ? p with { Access = new AccessSpec { Visibility = "restricted", Readers = [] } }
            : p).ToList();

        // Act
        using var file = JsonDocument.Parse(UpstreamSubscriptionsFile.Generate(narrowed));
        var domains = file.RootElement.GetProperty("domains");

        // Assert: no subscription, no read grant, no queue grant follow from a read the access rules refuse.
        Assert.Empty(domains.GetProperty("marketing").GetProperty("consumers").EnumerateObject());
        Assert.Equal(["sales"], domains.GetProperty("sales").GetProperty("upstreamDomains").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains("marketing.campaign-performance", domains.GetProperty("sales").GetProperty("upstreamProducts").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public void Consumers_InputOfAProductNotInTheSpecs_IsLeftOut()
    {
        // Arrange: a copy of revenue-global that also reads a product no spec defines.
        var revenue = Products.Single(p => p.Id == "finance.revenue-global");
        var extra = revenue with { Name = "revenue-copy", Inputs = [.. revenue.Inputs, revenue.Inputs[0] with { Product = "treasury.fx-rates" }] };

        // Act
        var consumers = UpstreamSubscriptionsFile.Consumers([.. Products, extra]);

        // Assert
        Assert.DoesNotContain("treasury", consumers.Keys);
        Assert.All(consumers.Values, c => Assert.All(c.Values, products => Assert.DoesNotContain("treasury.fx-rates", products)));
    }
}
