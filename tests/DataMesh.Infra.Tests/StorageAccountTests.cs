using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>Storage accounts are reached with Entra ID only, never publicly, over TLS 1.2+ HTTPS; they hold what the app uses.</summary>
[Collection(InfraCollection.Name)]
public sealed class StorageAccountTests(InfraFixture infra)
{
    private const string StorageAccountType = "Microsoft.Storage/storageAccounts";

    [Fact]
    public void StorageAccounts_EveryTemplate_DenySharedKeysPublicBlobsAndOldTls()
    {
        var accounts = infra.Templates.Values.SelectMany(t => t.Deployed(StorageAccountType).Select(r => (Template: t, Resource: r))).ToList();

        var violations = accounts.SelectMany(a => SecurityBaseline.StorageAccountViolations(a.Resource.Body).Select(v => $"{a.Template}: {v}")).ToList();

        Assert.NotEmpty(accounts);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void StorageAccounts_DomainAndHubSnapshots_DenySharedKeysPublicBlobsAndOldTls()
    {
        var accounts = infra.Domain.OfType(StorageAccountType).Concat(infra.Hub.OfType(StorageAccountType)).ToList();

        var violations = accounts.SelectMany(SecurityBaseline.StorageAccountViolations).ToList();

        Assert.Equal(2, accounts.Count);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void StorageBaseline_InsecureStorageModuleCopy_IsCaught()
    {
        var insecure = infra.InsecureStorageTemplate();

        var violations = insecure.Deployed(StorageAccountType).SelectMany(r => SecurityBaseline.StorageAccountViolations(r.Body)).ToList();

        var violation = Assert.Single(violations);
        Assert.Contains("allowSharedKeyAccess", violation, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainStorage_Snapshot_HasTheContainersAndQueueTheAppUses()
    {
        var containers = ChildNames(infra.Domain, "Microsoft.Storage/storageAccounts/blobServices/containers");
        var queues = ChildNames(infra.Domain, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Subset(containers.ToHashSet(), new HashSet<string> { "landing", "products", "quarantine", "archive", "staging", "deadletter", "app-package" });
        Assert.Equal(["pipeline-triggers"], queues);
        Assert.All(
            infra.Domain.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"),
            c => Assert.Equal("None", c.Text("properties.publicAccess")));
    }

    [Fact]
    public void HubStorage_Snapshot_HasTheCatalogTablesAndCatalogEventsQueue()
    {
        var tables = ChildNames(infra.Hub, "Microsoft.Storage/storageAccounts/tableServices/tables");
        var queues = ChildNames(infra.Hub, "Microsoft.Storage/storageAccounts/queueServices/queues");

        Assert.Equal(["Products", "Releases", "Runs"], tables.Order(StringComparer.Ordinal));
        Assert.Equal(["catalog-events"], queues);
    }

    [Fact]
    public void DomainStorage_Snapshot_ExpiresRunScratchAndDeadLettersOnly()
    {
        var policy = infra.Domain.Single("Microsoft.Storage/storageAccounts/managementPolicies");

        var prefixes = (policy.At("properties.policy.rules") as System.Text.Json.Nodes.JsonArray ?? [])
            .SelectMany(rule => rule.Strings("definition.filters.prefixMatch"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(["deadletter/", "staging/"], prefixes);
    }

    private static List<string> ChildNames(DeploymentSnapshot snapshot, string type) =>
        snapshot.OfType(type).Select(r => r.Text("name")!.Split('/')[^1]).ToList();
}
