using DataMesh.Functions.Configuration;
using DataMesh.Specs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>The app refuses to start on a mesh whose specs are wrong together: a blob would go to the wrong product.</summary>
public sealed class StartupSpecCheckTests : IDisposable
{
    private readonly string _pipelines = Path.Combine(Directory.CreateTempSubdirectory("dm-startup-").FullName, "pipelines");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_pipelines)!, recursive: true);

    /// <summary>Copies the sample product <c>finance/ledger-emea</c> (samples folder included) under <paramref name="name"/>, with its spec edited.</summary>
    private void CopyLedgerEmea(string name, Func<string, string> edit)
    {
        var target = Path.Combine(_pipelines, "finance", name);
        Folders.Copy(RepositoryRoot.Combine("pipelines", "finance", "ledger-emea"), target);

        var spec = Path.Combine(target, "product.yaml");
        File.WriteAllText(spec, edit(File.ReadAllText(spec)));
    }

    [Fact]
    public async Task StartAsync_TwoProductsWithOneLandingPath_FailsNamingBoth()
    {
        // Arrange: a copy of ledger-emea under another name keeps its landing path.
        CopyLedgerEmea("ledger-emea", s => s);
        CopyLedgerEmea("ledger-copy", s => s.Replace("name: ledger-emea", "name: ledger-copy", StringComparison.Ordinal));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataMesh:Domain"] = "finance",
            ["DataMesh:TaskHub"] = "DataMeshFunctions",
            ["DataMesh:PipelinesPath"] = _pipelines,
            ["DataMesh:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["DataMesh:Events:TopicEndpoint"] = "",
        }).Build();
        var collection = new ServiceCollection().AddLogging();
        collection.AddDataMesh(configuration);
        await using var services = collection.BuildServiceProvider();

        // Act: what the worker does at start.
        var error = await Assert.ThrowsAsync<SpecValidationException>(async () =>
        {
            foreach (var hosted in services.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }
        });

        // Assert
        Assert.Equal(2, error.Diagnostics.Count);
        Assert.All(error.Diagnostics, d => Assert.Equal(SpecDiagnosticCodes.AmbiguousLandingPath, d.Code));
        Assert.Contains("finance.ledger-copy", error.Message, StringComparison.Ordinal);
        Assert.Contains("finance.ledger-emea", error.Message, StringComparison.Ordinal);
    }
}
