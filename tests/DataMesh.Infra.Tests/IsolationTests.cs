using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// A domain's deployment needs no rights outside its own resource group: nothing it deploys, references or grants
/// lies elsewhere; what the hub needs on a domain (its catalog subscription) the hub deploys itself, into each
/// registered domain's group and subscription; domains in other subscriptions are wired by the registry.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class IsolationTests(InfraFixture infra)
{
    [Fact]
    public void DomainSnapshot_EveryResource_LiesInTheDomainsOwnResourceGroup()
    {
        var outside = PlacedAt(infra.Domain)
            .Where(id => id != TestDeployment.DomainResourceGroupId && !id.StartsWith(TestDeployment.DomainResourceGroupId + "/", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(infra.Domain.Resources);
        Assert.True(outside.Count == 0, string.Join('\n', outside));
    }

    [Fact]
    public void DomainTemplate_ModulesAndReferences_NeverScopedToAnotherGroupOrSubscription()
    {
        // domain.bicep compiled: a module or `existing` reference with its own resourceGroup/subscriptionId would make
        // the deploying team need rights there.
        var template = infra.Templates["domain.bicep"];
        var scoped = template.Resources
            .Where(r => r.Body["resourceGroup"] is not null || r.Body["subscriptionId"] is not null || r.Body["scope"]?.ToJsonString().Contains("resourceGroup(", StringComparison.Ordinal) == true)
            .Select(r => r.ToString())
            .ToList();

        Assert.True(scoped.Count == 0, string.Join('\n', scoped));
        Assert.DoesNotContain("mesh-subscriptions", template.Json, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainSnapshot_ConsumerInAnotherSubscription_DeliveredToItsAccountThere()
    {
        var toTreasury = infra.Domain.OfType("Microsoft.EventGrid/topics/eventSubscriptions")
            .Where(s => s.Text("properties.deliveryWithResourceIdentity.destination.properties.resourceId") == TestDeployment.Treasury.StorageAccountId)
            .ToList();

        Assert.Equal(2, toTreasury.Count);
        Assert.StartsWith($"/subscriptions/{TestDeployment.Treasury.SubscriptionId}/", TestDeployment.Treasury.StorageAccountId, StringComparison.Ordinal);
        Assert.NotEqual(TestDeployment.SubscriptionId, TestDeployment.Treasury.SubscriptionId);
    }

    [Fact]
    public void HubSnapshot_RegisteredDomainInAnotherSubscription_CatalogSubscriptionDeployedThere()
    {
        var deployments = infra.Hub.Resources.Select(r => r.Text("id")!).Where(id => id.Contains("/eventSubscriptions/mesh-catalog", StringComparison.Ordinal)).ToList();

        Assert.Contains(TestDeployment.Treasury.TopicId + "/eventSubscriptions/mesh-catalog", deployments);
        // The hub's own resources stay in its group; only the catalog subscriptions go to the domains' groups.
        var elsewhere = PlacedAt(infra.Hub)
            .Where(id => id != TestDeployment.HubResourceGroupId && !id.StartsWith(TestDeployment.HubResourceGroupId + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        Assert.Equal(TestDeployment.Registry.Select(r => r.TopicId + "/eventSubscriptions/mesh-catalog").Order(StringComparer.Ordinal), elsewhere);
    }

    [Fact]
    public void HubApp_Snapshot_KnowsEachRegisteredDomainsBlobEndpoint()
    {
        var settings = DeploymentSnapshot.AppSettings(infra.Hub.Single("Microsoft.Web/sites"));

        // The catalog checks an announcement's location against the account of the domain whose topic delivered it:
        // DataMesh__Domains__<n>__Name / __StorageEndpoint, read by DomainRegistrationOptions. Names and endpoints are
        // ARM expressions over the registry (the storage suffix is the cloud's, known only in Azure).
        var names = settings.Where(s => s.Key.StartsWith("DataMesh__Domains__", StringComparison.Ordinal) && s.Key.EndsWith("__Name", StringComparison.Ordinal)).ToList();
        var endpoints = settings.Where(s => s.Key.StartsWith("DataMesh__Domains__", StringComparison.Ordinal) && s.Key.EndsWith("__StorageEndpoint", StringComparison.Ordinal)).ToList();
        Assert.Equal(TestDeployment.Registry.Count(), names.Count);
        Assert.Equal(TestDeployment.Registry.Count(), endpoints.Count);
        Assert.All(TestDeployment.Registry, r => Assert.Contains(names, n => n.Value.Contains(r.Domain, StringComparison.Ordinal)));
        Assert.All(TestDeployment.Registry, r => Assert.Contains(endpoints, e => e.Value.Contains(r.StorageAccount, StringComparison.Ordinal)));
        Assert.DoesNotContain("DataMesh__Catalog__DomainBlobEndpoints", settings.Keys);
    }

    [Fact]
    public void DomainApp_Snapshot_KnowsTheAccountsOfTheRegisteredUpstreamDomainsItReads()
    {
        // finance reads finance, supply-chain and treasury; supply-chain and treasury are registered: the pipeline reads
        // their releases in their own accounts (RegisteredDomainAccounts), its own domain stays on its own account.
        var settings = DeploymentSnapshot.AppSettings(infra.Domain.Single("Microsoft.Web/sites"));

        var names = settings.Where(s => s.Key.StartsWith("DataMesh__Domains__", StringComparison.Ordinal) && s.Key.EndsWith("__Name", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        var endpoints = settings.Where(s => s.Key.StartsWith("DataMesh__Domains__", StringComparison.Ordinal) && s.Key.EndsWith("__StorageEndpoint", StringComparison.Ordinal)).Select(s => s.Value).ToList();
        Assert.Equal(2, names.Count);
        Assert.Contains(names, n => n.Contains(TestDeployment.SupplyChain.Domain, StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains(TestDeployment.Treasury.Domain, StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("'finance'", StringComparison.Ordinal) || n == "finance");
        Assert.Contains(endpoints, e => e.Contains(TestDeployment.SupplyChain.StorageAccount, StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.Contains(TestDeployment.Treasury.StorageAccount, StringComparison.Ordinal));
    }

    [Fact]
    public void FunctionApps_Snapshot_ValidateBearerTokensForTheMeshApi()
    {
        foreach (var snapshot in new[] { infra.Hub, infra.Marketing })
        {
            var settings = DeploymentSnapshot.AppSettings(snapshot.Single("Microsoft.Web/sites"));
            Assert.True(settings.ContainsKey("DataMesh__Authentication__TenantId"));
            Assert.Contains("api://", settings["DataMesh__Authentication__Audience"], StringComparison.Ordinal);
        }
    }

    /// <summary>Where each resource of a snapshot lives: its id, or for a role assignment the scope it is made on.</summary>
    private static IEnumerable<string> PlacedAt(DeploymentSnapshot snapshot) =>
        snapshot.Resources
            .Where(r => r.Text("type") != "Microsoft.Resources/resourceGroups")
            .Select(r => r.Text("type") == "Microsoft.Authorization/roleAssignments" ? RoleAssignment.From(r).Scope : r.Text("id")!);

    [Fact]
    public void ReadGrants_RepositorySpecs_OnlyTheReaderTheAccessRuleAdmits()
    {
        // marketing.campaign-performance: access { visibility: restricted, readers: [sales] }; sales reads it. Workforce
        // is registered too, but no access rule of marketing admits it: no grant, no subscription.
        var readers = infra.Marketing.OfType("Microsoft.Authorization/roleAssignments")
            .Where(r => r.Text("properties.roleDefinitionId")!.EndsWith(BuiltInRole.StorageBlobDataReader, StringComparison.Ordinal))
            .Where(r => r.Text("properties.principalId") != TestDeployment.HubAppPrincipalId)
            .ToList();

        var grant = Assert.Single(readers);
        Assert.Equal(TestDeployment.Sales.AppPrincipalId, grant.Text("properties.principalId"));
        Assert.Contains("StringStartsWith 'campaign-performance/'", grant.Text("properties.condition"), StringComparison.Ordinal);
        var subscription = Assert.Single(infra.Marketing.OfType("Microsoft.EventGrid/topics/eventSubscriptions"));
        Assert.Equal("marketing.campaign-performance/", subscription.Text("properties.filter.subjectBeginsWith"));
        Assert.Equal(TestDeployment.Sales.StorageAccountId, subscription.Text("properties.deliveryWithResourceIdentity.destination.properties.resourceId"));
        Assert.DoesNotContain(TestDeployment.Workforce.AppPrincipalId, infra.Marketing.Resources.Select(r => r.Text("properties.principalId")));
    }
}
