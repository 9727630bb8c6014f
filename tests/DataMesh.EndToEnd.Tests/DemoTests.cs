using System.Text.Json;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Issue 18: the demo runs on per-domain accounts. <c>datamesh demo</c> over the repository's sample mesh, to the end:
/// every sample as expected, and every release it published lies in its own domain's storage account.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DemoTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-demo-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Demo_SampleMesh_PassesWithEveryReleaseInItsOwnDomainsAccount()
    {
        // Arrange
        Folders.Copy(Path.Combine(RepositoryRoot.Path, "pipelines"), Path.Combine(_root, "pipelines"));

        // Act
        var demo = await CliRunner.RunAsync(_root, azurite.CliEnvironment(Path.Combine(_root, ".datamesh")), "demo", "--json");

        // Assert: passed; each published run's location names its domain's account, never another's nor a shared one.
        Assert.True(demo.ExitCode == 0, demo.StdOut + demo.StdErr);
        using var document = JsonDocument.Parse(demo.StdOut);
        Assert.True(document.RootElement.GetProperty("passed").GetBoolean(), demo.StdOut);
        var published = document.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("result"))
            .Where(r => r.GetProperty("status").GetString() == "Published").ToList();
        Assert.NotEmpty(published);
        var domains = published.Select(r => r.GetProperty("product").GetString()!.Split('.')[0]).Distinct().ToList();
        Assert.True(domains.Count > 1, string.Join(", ", domains));
        Assert.All(published, r =>
        {
            var domain = r.GetProperty("product").GetString()!.Split('.')[0];
            var location = r.GetProperty("location").GetString()!;
            Assert.Contains($"/{StorageAccountName.ForDomain(domain)}/", location, StringComparison.Ordinal);
            Assert.DoesNotContain("devstoreaccount1", location, StringComparison.Ordinal);
        });
    }
}
