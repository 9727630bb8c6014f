using DataMesh.Functions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// The app settings the composition tests start from — a domain app on Azurite (<see cref="Local"/>) and one in Azure with
/// its managed identity (<see cref="Azure"/>) — and the one way they compose the Functions app's services from settings.
/// </summary>
internal static class AppSettings
{
    /// <summary>A domain app on the development storage, events on queues.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Local = new Dictionary<string, string?>
    {
        ["DataMesh:Domain"] = "finance",
        ["DataMesh:TaskHub"] = "DataMeshFunctions",
        ["DataMesh:PipelinesPath"] = RepositoryRoot.Combine("pipelines"),
        ["DataMesh:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        ["DataMesh:Events:TopicEndpoint"] = "",
    };

    /// <summary>A domain app in Azure: its own account by endpoints, its Event Grid topic, its user-assigned identity.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Azure = new Dictionary<string, string?>
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

    /// <summary>The services <c>AddDataMesh</c> registers for <paramref name="settings"/>, validated as the host validates them.</summary>
    public static ServiceProvider Compose(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddDataMesh(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
