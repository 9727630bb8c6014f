using DataMesh.Functions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// The masking key of <c>hash</c> masking comes from <c>DataMesh__Pipeline__MaskingKey</c> (a Key Vault reference in Azure):
/// a domain whose products hash refuses to start without it, and no app starts on a reference that did not resolve.
/// </summary>
public sealed class MaskingKeyTests : IDisposable
{
    private const string UnresolvedReference = "@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/masking-key/)";

    // A copy of the sample mesh in which finance.ledger-emea hashes its entry ids.
    private readonly string _pipelines = Path.Combine(Path.GetTempPath(), "datamesh-maskingkey-" + Guid.NewGuid().ToString("N")[..8]);

    public MaskingKeyTests()
    {
        Folders.Copy(RepositoryRoot.Combine("pipelines"), _pipelines);
        var contract = Path.Combine(_pipelines, "finance", "ledger-emea", "contract.odcs.yaml");
        var text = File.ReadAllText(contract);
        var hashed = text.Replace(
            "        primaryKey: true\n        classification: internal\n",
            "        primaryKey: true\n        classification: internal\n        customProperties:\n          - property: masking\n            value: hash\n",
            StringComparison.Ordinal);
        Assert.NotEqual(text, hashed);
        File.WriteAllText(contract, hashed);
    }

    public void Dispose() => Directory.Delete(_pipelines, recursive: true);

    [Fact]
    public async Task StartAsync_DomainHashesWithoutMaskingKey_RefusesToStartNamingProductColumnAndSetting()
    {
        // Arrange
        using var services = Compose(domain: "finance", salt: null);

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(services));

        // Assert
        Assert.Contains("DataMesh__Pipeline__MaskingKey is not set", error.Message, StringComparison.Ordinal);
        Assert.Contains("finance.ledger-emea column 'entry_id'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_DomainKeyGivenPerDomain_Starts()
    {
        // Arrange: the key under DataMesh__Pipeline__MaskingKeys__finance instead of the app-wide setting.
        using var services = Compose(domain: "finance", salt: null, perDomain: ("finance", "Abcde12345Fghij"));

        // Act
        var error = await Record.ExceptionAsync(() => StartAsync(services));

        // Assert
        Assert.Null(error);
    }

    [Fact]
    public async Task StartAsync_DomainHashesWithMaskingKey_Starts()
    {
        // Arrange
        using var services = Compose(domain: "finance", salt: "Abcde12345Fghij");

        // Act
        var error = await Record.ExceptionAsync(() => StartAsync(services));

        // Assert
        Assert.Null(error);
    }

    [Fact]
    public async Task StartAsync_OtherDomainWithoutHashing_StartsWithoutMaskingKey()
    {
        // Arrange: supply-chain hashes nothing; finance's contracts are not its business.
        using var services = Compose(domain: "supply-chain", salt: null);

        // Act
        var error = await Record.ExceptionAsync(() => StartAsync(services));

        // Assert
        Assert.Null(error);
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("supply-chain")]
    [InlineData(null)]
    public async Task StartAsync_UnresolvedKeyVaultReference_RefusesToStartInEveryMode(string? domain)
    {
        // Arrange: App Service leaves the reference text in the setting when it cannot read the secret.
        using var services = Compose(domain, UnresolvedReference);

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(services));

        // Assert
        Assert.Contains("unresolved Key Vault reference", error.Message, StringComparison.Ordinal);
        Assert.Contains("Key Vault Secrets User", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_HubWithoutMaskingKey_Starts()
    {
        // Arrange: the hub runs no pipeline, so it never hashes.
        using var services = Compose(domain: null, salt: null);

        // Act
        var error = await Record.ExceptionAsync(() => StartAsync(services));

        // Assert
        Assert.Null(error);
    }

    private static async Task StartAsync(ServiceProvider services)
    {
        foreach (var service in services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    /// <summary>Local settings for a domain app, or the hub when <paramref name="domain"/> is null.</summary>
    private ServiceProvider Compose(string? domain, string? salt, (string Domain, string Key)? perDomain = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DataMesh:Mode"] = domain is null ? "hub" : "domain",
            ["DataMesh:Domain"] = domain,
            ["DataMesh:TaskHub"] = "DataMeshFunctions",
            ["DataMesh:PipelinesPath"] = _pipelines,
            ["DataMesh:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["DataMesh:Pipeline:MaskingKey"] = salt,
        };
        if (perDomain is { } entry)
        {
            settings[$"DataMesh:Pipeline:MaskingKeys:{entry.Domain}"] = entry.Key;
        }

        return AppSettings.Compose(settings);
    }
}
