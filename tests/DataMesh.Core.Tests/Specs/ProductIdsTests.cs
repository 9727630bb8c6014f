using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary>Product ids, <c>&lt;domain&gt;.&lt;name&gt;</c>: the first dot separates them.</summary>
public sealed class ProductIdsTests
{
    [Theory]
    [InlineData("finance.ledger-emea", "finance")]
    [InlineData("finance.ledger.v2", "finance")]
    [InlineData("ledger-emea", "ledger-emea")]
    public void DomainOf_ProductId_IsWhatStandsBeforeTheFirstDot(string productId, string domain)
    {
        // Act
        var actual = ProductIds.DomainOf(productId);

        // Assert
        Assert.Equal(domain, actual);
    }

    [Fact]
    public void Split_ProductId_DomainAndNameAtTheFirstDot()
    {
        // Act
        var (domain, name) = ProductIds.Split("finance.ledger.v2");

        // Assert
        Assert.Equal(("finance", "ledger.v2"), (domain, name));
    }

    [Theory]
    [InlineData("ledger-emea")]
    [InlineData(".ledger")]
    [InlineData("finance.")]
    public void Split_NotAProductId_ThrowsNamingTheId(string productId)
    {
        // Act
        var error = Assert.Throws<ArgumentException>(() => ProductIds.Split(productId, "id"));

        // Assert
        Assert.Equal(("id", true), (error.ParamName, error.Message.Contains($"'{productId}' is not a product id", StringComparison.Ordinal)));
    }
}
