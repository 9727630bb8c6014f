using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// The app settings path of the DuckDB limits (issue 20 item 3): the Bicep passes the plan's instanceMemoryMB as
/// <c>DataMesh__Pipeline__InstanceMemoryMB</c>, the runs' limits derive from it, an explicit limit still wins.
/// </summary>
public sealed class EngineLimitsSettingsTests
{
    private static readonly Dictionary<string, string?> AzureSettings = new()
    {
        ["DataMesh:Domain"] = "finance",
        ["DataMesh:TaskHub"] = "DataMeshFinance",
        ["DataMesh:PipelinesPath"] = RepositoryRoot.Combine("pipelines"),
        ["DataMesh:Storage:BlobServiceUri"] = "https://stfinance.blob.core.windows.net/",
        ["DataMesh:Storage:QueueServiceUri"] = "https://stfinance.queue.core.windows.net/",
        ["DataMesh:Storage:TableServiceUri"] = "https://stfinance.table.core.windows.net/",
        ["DataMesh:Events:TopicEndpoint"] = "https://egt-mesh.westeurope-1.eventgrid.azure.net/api/events",
        ["AZURE_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555",
    };

    [Fact]
    public void AddDataMesh_InstanceMemoryMBSetting_RunsGetTheLimitsOfThatInstance()
    {
        using var services = Compose(new Dictionary<string, string?>(AzureSettings) { ["DataMesh:Pipeline:InstanceMemoryMB"] = "4096" });

        var limits = services.GetRequiredService<PipelineRuntime>().EngineLimits;

        // (4096 - 300 Functions host - 400 worker) x 0.75, whatever the machine running the test has.
        Assert.Equal("2547MiB", limits.MemoryLimit);
        Assert.Contains("instance of 4096 MB", limits.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDataMesh_MemoryLimitSetting_WinsOverTheInstanceSize()
    {
        using var services = Compose(new Dictionary<string, string?>(AzureSettings)
        {
            ["DataMesh:Pipeline:InstanceMemoryMB"] = "4096",
            ["DataMesh:Pipeline:MemoryLimit"] = "700MB",
            ["DataMesh:Pipeline:Threads"] = "1",
        });

        var limits = services.GetRequiredService<PipelineRuntime>().EngineLimits;

        Assert.Equal(("700MB", 1), (limits.MemoryLimit, limits.Threads));
    }

    [Theory]
    [InlineData("100")]
    [InlineData("-1")]
    public void AddDataMesh_InstanceMemoryMBNotAnInstanceSize_FailsNamingTheSetting(string value)
    {
        using var services = Compose(new Dictionary<string, string?>(AzureSettings) { ["DataMesh:Pipeline:InstanceMemoryMB"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains($"DataMesh__Pipeline__InstanceMemoryMB '{value}'", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDataMesh_ThreadsSetToZero_FailsNamingTheSetting()
    {
        using var services = Compose(new Dictionary<string, string?>(AzureSettings) { ["DataMesh:Pipeline:Threads"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("DataMesh__Pipeline__Threads", StringComparison.Ordinal));
    }

    private static ServiceProvider Compose(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddDataMesh(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
