using DataMesh.Local.Azurite;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>DATAMESH_STORAGE replaces the embedded Azurite.</summary>
[Collection("environment")]
public sealed class StorageEnvironmentTests
{
    [Fact]
    public void ConnectionStringFromEnvironment_VariableSet_ReturnsIt()
    {
        using var variable = new StorageVariable("UseDevelopmentStorage=true");

        Assert.Equal("UseDevelopmentStorage=true", AzuriteServer.ConnectionStringFromEnvironment());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("  ")]
    public void ConnectionStringFromEnvironment_VariableUnsetOrBlank_ReturnsNull(string? value)
    {
        using var variable = new StorageVariable(value);

        Assert.Null(AzuriteServer.ConnectionStringFromEnvironment());
    }

    [Fact]
    public async Task AzuriteFixture_StorageVariableSet_UsesItAndStartsNoAzurite()
    {
        // Arrange: nothing listens on port 9, so only a fixture that starts no Azurite can pass.
        const string External =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;" +
            "QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;";
        var fixture = new AzuriteFixture();

        // Act
        using (new StorageVariable(External))
        {
            await fixture.InitializeAsync();
        }

        var storage = fixture.CreateSingleAccountStorage();
        await fixture.DisposeAsync();

        // Assert
        Assert.Null(fixture.Server);
        Assert.Equal(External, fixture.ConnectionString);
        Assert.Equal(new Uri("http://127.0.0.1:9/devstoreaccount1"), storage.Blobs.Uri);
    }

    /// <summary>Sets DATAMESH_STORAGE for one test and restores the previous value.</summary>
    private sealed class StorageVariable : IDisposable
    {
        private readonly string? _previous = Environment.GetEnvironmentVariable(AzuriteServer.StorageVariable);

        public StorageVariable(string? value) => Environment.SetEnvironmentVariable(AzuriteServer.StorageVariable, value);

        public void Dispose() => Environment.SetEnvironmentVariable(AzuriteServer.StorageVariable, _previous);
    }
}
