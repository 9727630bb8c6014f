using System.Text.Json.Nodes;
using DataMesh.Infra.Tests.Arm;
using DataMesh.Infra.Tests.Bicep;

namespace DataMesh.Infra.Tests;

/// <summary>
/// A domain's <c>azd down</c> deletes its own resource group only (the hub's catalog subscription on its topic goes with
/// it); what the hub holds for it — the right of its topic identity to deliver to <c>catalog-events</c> and write dead
/// letters, and the catalog subscription — is derived from the registry (<c>infra/domains.json</c>) alone. So once the
/// domain leaves the registry, the hub's next provision compiles to exactly the same resources minus the domain's, and
/// the deployment stack (<c>actionOnUnmanage: delete</c>, held by
/// <see cref="AzdProjectTests.AzureYaml_Infra_DeploysAsAStackThatDeletesWhatLeavesTheTemplate"/>) deletes those.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class HubRemovalTests(InfraFixture infra)
{
    [Fact]
    public async Task HubSnapshot_DomainRemovedFromTheRegistry_ItsGrantsAndCatalogSubscriptionLeaveTheTemplateAndNothingElseDoes()
    {
        // Arrange: the hub as the fixture compiled it (sales registered), and the same hub after sales left domains.json.
        var sales = TestDeployment.Sales;
        var withSales = infra.Hub;
        var parameters = Path.Combine(infra.WorkDirectory, "hub-without-sales.bicepparam");
        await File.WriteAllTextAsync(parameters, WithoutRegistryEntry(TestDeployment.HubParameters, sales.Domain));

        // Act
        DeploymentSnapshot withoutSales;
        await using (var bicep = BicepRpcClient.Start())
        {
            withoutSales = new DeploymentSnapshot(await bicep.SnapshotAsync(parameters, TestDeployment.TenantId, TestDeployment.SubscriptionId, TestDeployment.Location));
        }

        // Assert: with sales, the hub holds its grants (catalog-events, dead letters) and its catalog subscription.
        var salesResources = withSales.Resources.Where(r => HeldFor(r, sales)).Select(Key).Order(StringComparer.Ordinal).ToList();
        var salesGrants = withSales.OfType("Microsoft.Authorization/roleAssignments").Select(RoleAssignment.From).Where(a => a.Principal.Contains(sales.TopicPrincipalId, StringComparison.Ordinal)).ToList();
        Assert.True(salesGrants.Count >= 2, $"Expected the hub to grant sales' topic identity catalog-events and dead letters, found: {string.Join("; ", salesGrants)}.");
        Assert.Contains(sales.TopicId + "/eventSubscriptions/mesh-catalog", salesResources);

        // Without it: none of them, and every other resource still there under the same id (nothing else is deleted).
        Assert.DoesNotContain(withoutSales.Resources, r => Mentions(r, sales));
        var expected = withSales.Resources.Select(Key).Except(salesResources, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        Assert.Equal(expected, withoutSales.Resources.Select(Key).Order(StringComparer.Ordinal));
    }

    /// <summary>The parameters with one domain's line removed from the registry object (as a pull request removing it from domains.json).</summary>
    private static string WithoutRegistryEntry(string parameters, string domain)
    {
        var lines = parameters.Split('\n');
        var kept = lines.Where(l => !l.TrimStart().StartsWith(domain + ": {", StringComparison.Ordinal)).ToList();
        Assert.Equal(lines.Length - 1, kept.Count);
        return string.Join('\n', kept);
    }

    /// <summary>A resource the hub deploys for the domain: a grant to one of its identities, or one placed in its group.</summary>
    private static bool HeldFor(JsonObject resource, TestDeployment.Registered domain) =>
        string.Equals(resource.Text("type"), "Microsoft.Authorization/roleAssignments", StringComparison.OrdinalIgnoreCase)
            ? RoleAssignment.From(resource).Principal is var principal
                && (principal.Contains(domain.TopicPrincipalId, StringComparison.Ordinal) || principal.Contains(domain.AppPrincipalId, StringComparison.Ordinal))
            : Key(resource).StartsWith($"/subscriptions/{domain.SubscriptionId}/resourceGroups/{domain.ResourceGroup}/", StringComparison.OrdinalIgnoreCase);

    /// <summary>Anything naming the domain: its identities, its topic, its group, its account (the hub app's settings too).</summary>
    private static bool Mentions(JsonObject resource, TestDeployment.Registered domain)
    {
        var json = resource.ToJsonString();
        return new[] { domain.TopicPrincipalId, domain.AppPrincipalId, domain.Topic, domain.ResourceGroup, domain.StorageAccount }
            .Any(name => json.Contains(name, StringComparison.Ordinal));
    }

    private static string Key(JsonObject resource) => resource.Text("id") ?? "";
}
