using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Events;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Tests.Triggers;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Tests.Configuration;

public sealed class DataMeshCompositionTests
{
    [Fact]
    public void AddDataMesh_LocalSettings_ComposesPipelineOnAzuriteWithQueueEvents()
    {
        // Arrange
        using var services = AppSettings.Compose(AppSettings.Local);

        // Act
        var runtime = services.GetRequiredService<PipelineRuntime>();
        var router = services.GetRequiredService<BlobCreatedRouter>();

        // Assert
        Assert.Equal("landing", runtime.Storage.Landing("finance").Name);
        Assert.Equal("devstoreaccount1", runtime.Storage.Blobs.AccountName);
        Assert.IsType<QueueProductEventPublisher>(runtime.Events);
        Assert.Contains(runtime.Products.All, p => p.Id == SampleMesh.Ledger);
        Assert.True(router.Route(BlobEvents.LedgerArrival).StartsRun);
    }

    [Fact]
    public void AddDataMesh_AzureSettings_UsesTheDomainAccountAndTheEventGridTopic()
    {
        // Arrange
        using var services = AppSettings.Compose(AppSettings.Azure);

        // Act
        var storage = services.GetRequiredService<MeshStorage>();
        var events = services.GetRequiredService<IProductEventPublisher>();
        var options = services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value;

        // Assert
        Assert.Equal(new Uri("https://stfinance.blob.core.windows.net/"), storage.Blobs.Uri);
        Assert.Equal(new Uri("https://stfinance.queue.core.windows.net/"), storage.Queues.Uri);
        Assert.Equal(new Uri("https://stfinance.table.core.windows.net/"), storage.Tables.Uri);
        Assert.Equal("landing", storage.Landing("finance").Name);
        Assert.IsType<EventGridProductEventPublisher>(events);
        Assert.Equal("11111111-2222-3333-4444-555555555555", options.ManagedIdentityClientId);
        Assert.Same(storage.Blobs, services.GetRequiredService<BlobServiceClient>());
        Assert.Same(storage.Queues, services.GetRequiredService<QueueServiceClient>());
    }

    [Fact]
    public void AddDataMesh_DomainAppInAzure_AnnouncesItsOwnHostAsTheDataEndpoint()
    {
        // Arrange: App Service sets WEBSITE_HOSTNAME (and WEBSITE_AUTH_ENABLED when authentication is on).
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure)
        {
            ["WEBSITE_HOSTNAME"] = "func-finance.azurewebsites.net",
            ["WEBSITE_AUTH_ENABLED"] = "True",
        });

        // Act
        var options = services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value;

        // Assert
        Assert.Equal("https://func-finance.azurewebsites.net/", options.DataEndpoint);
        Assert.True(services.GetRequiredService<AppServiceAuthentication>().Enabled);
        Assert.False(services.GetRequiredService<DataMeshAppMode>().IsHub);
    }

    [Fact]
    public void AddDataMesh_HubInAzure_AnnouncesNoDataEndpoint()
    {
        // Arrange: the hub serves no data; its FreshnessBreached events must not point anywhere.
        var settings = new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:Mode"] = "hub", ["WEBSITE_HOSTNAME"] = "func-hub.azurewebsites.net" };
        settings.Remove("DataMesh:Domain");
        using var services = AppSettings.Compose(settings);

        // Act
        var options = services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value;

        // Assert
        Assert.Null(options.DataEndpoint);
        Assert.True(services.GetRequiredService<DataMeshAppMode>().IsHub);
        Assert.False(services.GetRequiredService<AppServiceAuthentication>().Enabled);
    }

    [Fact]
    public void AddDataMesh_DataEndpointWithAPath_FailsNamingTheSetting()
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:DataEndpoint"] = "https://gateway.example.com/finance/" });

        // Act
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        // Assert
        Assert.Contains(error.Failures, f => f.Contains("DataMesh__DataEndpoint 'https://gateway.example.com/finance/'", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDataMesh_RegisteredDomainWithABadStorageEndpointOrDataEndpoint_FailsNamingTheSettings()
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure)
        {
            ["DataMesh:Domains:0:Name"] = "supply-chain",
            ["DataMesh:Domains:0:StorageEndpoint"] = "not a url",
            ["DataMesh:Domains:0:DataEndpoint"] = "https://func-supply.example/path/",
        });

        // Act
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        // Assert
        var message = string.Join("\n", error.Failures);
        Assert.Contains("DataMesh__Domains__0__StorageEndpoint 'not a url'", message, StringComparison.Ordinal);
        Assert.Contains("DataMesh__Domains__0__DataEndpoint 'https://func-supply.example/path/'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDataMesh_RegisteredUpstreamDomains_ReadInTheirOwnAccountsWithTheAppsIdentity()
    {
        // Arrange: finance's app, told where supply-chain's account is (and, wrongly, another account for itself).
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure)
        {
            ["DataMesh:Domains:0:Name"] = "supply-chain",
            ["DataMesh:Domains:0:StorageEndpoint"] = "https://stsupply.blob.core.windows.net/",
            ["DataMesh:Domains:1:Name"] = "finance",
            ["DataMesh:Domains:1:StorageEndpoint"] = "https://stelsewhere.blob.core.windows.net/",
        });

        // Act
        var storage = services.GetRequiredService<MeshStorage>();

        // Assert: an upstream's releases are read in its account (storage decides whether the identity may); the app's
        // own domain stays on its own account whatever the registry says; an unregistered domain is looked for there too.
        Assert.Equal("stsupply.blob.core.windows.net", storage.Products("supply-chain").Uri.Host);
        Assert.Equal("stfinance.blob.core.windows.net", storage.Products("finance").Uri.Host);
        Assert.Equal("stfinance.blob.core.windows.net", storage.Landing("finance").Uri.Host);
        Assert.Equal("stfinance.blob.core.windows.net", storage.Products("workforce").Uri.Host);
        Assert.Same(storage.Domain("supply-chain").Blobs, storage.Domain("supply-chain").Blobs);
    }

    [Theory]
    [InlineData("domain", false, true)]
    [InlineData("hub", false, false)]
    [InlineData("hub", true, true)]
    public void ReleaseCheckFor_ModeAndRegisteredDomains_HubChecksManifestsOnlyOnceDomainsAreRegistered(string mode, bool registered, bool checks)
    {
        // The hub reads a registered domain's _manifest.json with its identity (the only blobs the domain grants it).
        var options = new DataMeshAppOptions
        {
            Mode = mode,
            Domain = mode == "hub" ? "" : "finance",
            Storage = { BlobServiceUri = new Uri("https://sthub.blob.core.windows.net/") },
            Domains = registered ? [new DomainRegistrationOptions { Name = "finance", StorageEndpoint = "https://stfinance.blob.core.windows.net/" }] : [],
        };
        var storage = MeshStorage.FromConnectionString("UseDevelopmentStorage=true");

        Assert.Equal(checks, DataMeshServiceCollectionExtensions.ReleaseCheckFor(options, storage) is not null);
    }

    [Fact]
    public void AddDataMesh_NothingConfigured_FailsNamingEachMissingSetting()
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?> { ["DataMesh:PipelinesPath"] = RepositoryRoot.Combine("pipelines") });

        // Act
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        // Assert
        var message = string.Join("\n", error.Failures);
        Assert.Contains("DataMesh__Domain is not set", message, StringComparison.Ordinal);
        Assert.Contains("DataMesh__TaskHub is not set", message, StringComparison.Ordinal);
        Assert.Contains("DataMesh__Storage__BlobServiceUri, DataMesh__Storage__QueueServiceUri, DataMesh__Storage__TableServiceUri", message, StringComparison.Ordinal);
        Assert.Contains("DataMesh__Storage__ConnectionString", message, StringComparison.Ordinal);
        Assert.Contains("DataMesh__Events__TopicEndpoint is not set", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DataMesh:Storage:BlobServiceUri", "http://stfinance.blob.core.windows.net/", "DataMesh__Storage__BlobServiceUri")]
    [InlineData("DataMesh:Events:TopicEndpoint", "http://egt-mesh.westeurope-1.eventgrid.azure.net/api/events", "DataMesh__Events__TopicEndpoint")]
    [InlineData("DataMesh:Domain", "Finance", "DataMesh__Domain 'Finance'")]
    [InlineData("DataMesh:TaskHub", "data-mesh", "DataMesh__TaskHub 'data-mesh'")]
    [InlineData("DataMesh:PipelinesPath", "/nonexistent/pipelines", "'/nonexistent/pipelines' does not exist")]
    public void AddDataMesh_InvalidSetting_FailsNamingIt(string key, string value, string expected)
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Azure) { [key] = value });

        // Act
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value);

        // Assert
        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void AddDataMesh_DomainWithoutProducts_FailsListingTheDomainsFound()
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Local) { ["DataMesh:Domain"] = "logistics" });

        // Act
        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IProductRegistry>());

        // Assert
        Assert.Contains("No product of domain 'logistics'", error.Message, StringComparison.Ordinal);
        Assert.Contains("finance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDataMesh_HubModeWithoutDomain_ComposesTheCatalog()
    {
        // Arrange: the hub's catalog app has no domain of its own.
        var settings = new Dictionary<string, string?>(AppSettings.Azure) { ["DataMesh:Mode"] = "hub" };
        settings.Remove("DataMesh:Domain");
        using var services = AppSettings.Compose(settings);

        // Act
        var registry = services.GetRequiredService<IProductRegistry>();
        var catalog = services.GetRequiredService<DataMesh.Catalog.CatalogReader>();

        // Assert
        Assert.NotNull(registry);
        Assert.NotNull(catalog);
    }

    [Fact]
    public void AddDataMesh_UnknownMode_FailsNamingTheSetting()
    {
        // Arrange
        using var services = AppSettings.Compose(new Dictionary<string, string?>(AppSettings.Local) { ["DataMesh:Mode"] = "hubb" });

        // Act
        var error = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IProductRegistry>());

        // Assert
        Assert.Contains("DataMesh__Mode 'hubb'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddDataMesh_StartupCheck_LoadsProductsWhenTheHostStarts()
    {
        // Arrange
        using var services = AppSettings.Compose(AppSettings.Local);
        var hosted = services.GetServices<IHostedService>().ToList();

        // Act
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        // Assert
        Assert.Contains(hosted, s => s is StartupProductCheck);
    }

    public static TheoryData<string> FunctionClasses =>
        [.. typeof(DataMeshAppOptions).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.GetMethods().Any(m => m.IsDefined(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), inherit: false)))
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(FunctionClasses))]
    public void AddDataMesh_FunctionClass_IsConstructedFromTheContainer(string typeName)
    {
        // Arrange: the worker builds each function class from DI for every invocation.
        using var services = AppSettings.Compose(AppSettings.Local);
        var type = typeof(DataMeshAppOptions).Assembly.GetType(typeName, throwOnError: true)!;

        // Act
        var instance = ActivatorUtilities.CreateInstance(services, type);

        // Assert
        Assert.IsType(type, instance);
    }

    [Fact]
    public void AddDataMesh_AzureSettings_ReachesAzureAsTheAppsManagedIdentityOnly()
    {
        // Arrange
        using var services = AppSettings.Compose(AppSettings.Azure);

        // Act
        var credential = services.GetRequiredService<TokenCredential>();

        // Assert: the identity AZURE_CLIENT_ID names, with no chain of developer sign-ins probed before it.
        Assert.IsType<ManagedIdentityCredential>(credential);
    }

    [Fact]
    public void AddDataMesh_LocalSettingsWithoutClientId_UsesTheDevelopersSignIn()
    {
        // Arrange
        using var services = AppSettings.Compose(AppSettings.Local);

        // Act
        var credential = services.GetRequiredService<TokenCredential>();

        // Assert
        Assert.IsType<DefaultAzureCredential>(credential);
    }
}
