using DataMesh.Core.Tests.Governance;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Core.Tests.Storage;

/// <summary>Read grants follow the specs: a consumer domain is granted an upstream's products only while it reads them and access admits it.</summary>
public sealed class ProductReadGrantsTests
{
    private static readonly ProductSpec Campaigns = Load("marketing", "campaign-performance");
    private static readonly ProductSpec Attribution = Load("sales", "campaign-attribution");
    private static readonly ProductSpec Opportunities = Load("sales", "opportunities");

    [Fact]
    public void UpstreamDomains_ReaderAdmitted_GrantsTheUpstreamDomain()
    {
        var grants = ProductReadGrants.UpstreamDomains([Campaigns with { Access = new AccessSpec { Visibility = "restricted", Readers = ["sales"] } }, Attribution, Opportunities], "sales");

        Assert.Equal(["marketing"], grants);
    }

    [Fact]
    public void UpstreamDomains_AccessNarrowed_NoGrant()
    {
        var grants = ProductReadGrants.UpstreamDomains([Campaigns with { Access = new AccessSpec { Visibility = "restricted", Readers = ["finance"] } }, Attribution, Opportunities], "sales");

        Assert.Empty(grants);
    }

    [Fact]
    public void UpstreamDomains_ConsumerStopsReading_NoGrant()
    {
        var grants = ProductReadGrants.UpstreamDomains(
            [Campaigns with { Access = new AccessSpec { Visibility = "public" } }, Attribution with { Inputs = [.. Attribution.Inputs.Where(i => i.Product != Campaigns.Id)] }, Opportunities],
            "sales");

        Assert.Empty(grants);
    }

    [Fact]
    public void UpstreamDomains_OwnDomain_NeverAGrant()
    {
        var grants = ProductReadGrants.UpstreamDomains([Attribution, Opportunities], "sales");

        Assert.Empty(grants);
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("supply-chain")]
    [InlineData("a-very-long-domain-name-with-many-parts")]
    public void ForDomain_AnyDomain_IsAValidAccountNameOtherThanTheHubs(string domain)
    {
        var account = StorageAccountName.ForDomain(domain);

        Assert.InRange(account.Length, 3, 24);
        Assert.All(account, c => Assert.True(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)));
        Assert.NotEqual(StorageAccountName.Hub, account);
        Assert.Equal(account, StorageAccountName.ForDomain(domain));
    }

    [Fact]
    public void ForDomain_DomainsDifferingOnlyInPunctuation_GetDifferentAccounts()
    {
        Assert.NotEqual(StorageAccountName.ForDomain("supply-chain"), StorageAccountName.ForDomain("supplychain"));
    }

    private static ProductSpec Load(string domain, string product) => ProductSpecLoader.Load(Path.Combine(RepositoryFiles.Pipelines, domain, product));
}
