using System.Text;
using DataMesh.Consumption;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>Who a caller is, from app roles or the header App Service authentication writes, and what it may read.</summary>
public sealed class DataReaderTests
{
    [Fact]
    public void FromAppRoles_NoMeshRole_IsAnAuthenticatedMemberReadingPublicProductsOnly()
    {
        // Act
        var caller = DataReader.FromAppRoles(["User.Read", "DataMesh.Domain."]);

        // Assert
        Assert.Same(DataReader.Member, caller);
        Assert.True(caller.IsAuthenticated);
        Assert.True(caller.CanRead("finance", "public", []));
        Assert.False(caller.CanRead("finance", "domain", []));
        Assert.False(caller.CanRead("workforce", "restricted", ["finance"]));
        Assert.Equal("a caller without a mesh role", caller.ToString());
    }

    [Fact]
    public void Anonymous_IsNotAuthenticated()
    {
        Assert.False(DataReader.Anonymous.IsAuthenticated);
        Assert.Equal("an anonymous caller", DataReader.Anonymous.ToString());
        Assert.True(DataReader.ForDomain("sales").IsAuthenticated);
        Assert.True(DataReader.Operator.IsAuthenticated);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("e30=")] // {} : no claims
    public void FromClientPrincipal_MissingOrUnreadable_IsAnonymous(string? header)
    {
        Assert.Same(DataReader.Anonymous, DataReader.FromClientPrincipal(header));
    }

    [Fact]
    public void FromClientPrincipal_ReaderRole_ReadsItsRestrictedProduct()
    {
        // Arrange: the header as App Service authentication writes it.
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"auth_typ":"aad","role_typ":"roles","claims":[{"typ":"roles","val":"DataMesh.Domain.finance"}]}"""));

        // Act
        var caller = DataReader.FromClientPrincipal(header);

        // Assert
        Assert.True(caller.IsAuthenticated);
        Assert.True(caller.CanRead("workforce", "restricted", ["finance"]));
        Assert.False(caller.CanRead("workforce", "restricted", ["sales"]));
    }
}
