using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// Each identity gets only what it needs, on the deployment's own resources: a domain grants only on its own resource
/// group's resources (its topic, its queue, its products container, its vault), to its own identities and to the
/// identities of the domains the specs link it with; the hub grants only on its own catalog storage.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed partial class RoleAssignmentTests(InfraFixture infra)
{
    private const string RoleAssignmentType = "Microsoft.Authorization/roleAssignments";

    [Fact]
    public void RoleAssignments_EveryTemplate_AreNamedWithGuid()
    {
        var assignments = infra.Templates.Values.SelectMany(t => t.Deployed(RoleAssignmentType).Select(r => (Template: t, Resource: r))).ToList();

        var unnamed = assignments.Where(a => a.Resource.Name?.StartsWith("[guid(", StringComparison.Ordinal) != true)
            .Select(a => $"{a.Template}: {a.Resource.Name}")
            .ToList();

        Assert.NotEmpty(assignments);
        Assert.True(unnamed.Count == 0, string.Join('\n', unnamed));
    }

    [Fact]
    public void RoleAssignments_DomainSnapshot_StayInTheDomainsOwnResourceGroup()
    {
        var own = DeployedResources.Of(infra.Domain);

        var outside = Assignments(infra.Domain).Where(a => !IsOn(a.Scope, own.ResourceGroupId)).ToList();

        Assert.Equal(TestDeployment.DomainResourceGroupId, own.ResourceGroupId);
        Assert.True(outside.Count == 0, string.Join('\n', outside));
    }

    [Fact]
    public void EventGridDataSender_DomainSnapshot_OnlyTheAppOnlyOnItsOwnTopic()
    {
        var own = DeployedResources.Of(infra.Domain);
        var topic = infra.Domain.Single("Microsoft.EventGrid/topics").Text("id")!;

        var senders = Assignments(infra.Domain).Where(a => a.RoleDefinitionId == BuiltInRole.EventGridDataSender).ToList();

        var sender = Assert.Single(senders);
        Assert.Equal(topic, sender.Scope);
        Assert.Equal(own.AppIdentityId, sender.Principal);
    }

    [Fact]
    public void ReadGrants_DomainSnapshot_OnePerRegisteredAdmittedConsumerNarrowedToItsProducts()
    {
        var own = DeployedResources.Of(infra.Domain);
        var readers = Assignments(infra.Domain).Where(a => a.RoleDefinitionId == BuiltInRole.StorageBlobDataReader && a.Principal != TestDeployment.HubAppPrincipalId).ToList();
        var conditions = infra.Domain.OfType(RoleAssignmentType)
            .Where(r => r.Text("properties.roleDefinitionId")!.EndsWith(BuiltInRole.StorageBlobDataReader, StringComparison.Ordinal))
            .ToDictionary(r => r.Text("properties.principalId")!, r => r.Text("properties.condition")!, StringComparer.Ordinal);

        // treasury (another subscription) and sales are admitted; workforce is registered but not admitted, marketing
        // admitted but not registered; finance reads its own products with its own role.
        Assert.Equal(
            [TestDeployment.Sales.AppPrincipalId, TestDeployment.Treasury.AppPrincipalId],
            readers.Select(r => r.Principal).Order(StringComparer.Ordinal));
        Assert.All(readers, r => Assert.Equal(own.Container("products"), r.Scope));
        Assert.Equal("2.0", infra.Domain.OfType(RoleAssignmentType).First(r => r.Text("properties.condition") is not null).Text("properties.conditionVersion"));
        AssertReadsOnly(conditions[TestDeployment.Treasury.AppPrincipalId], ["ledger-emea/", "revenue-global/"]);
        AssertReadsOnly(conditions[TestDeployment.Sales.AppPrincipalId], ["revenue-global/"]);
        Assert.DoesNotContain(TestDeployment.Workforce.AppPrincipalId, Assignments(infra.Domain).Select(a => a.Principal));
    }

    [Fact]
    public void ManifestGrant_DomainSnapshot_TheHubReadsReleaseManifestsOnlyNeverListsNorReadsData()
    {
        // The hub's catalog checks that an announced release exists (its _manifest.json) before recording it.
        var own = DeployedResources.Of(infra.Domain);
        var hub = Assert.Single(Assignments(infra.Domain), a => a.Principal == TestDeployment.HubAppPrincipalId);
        var condition = infra.Domain.OfType(RoleAssignmentType)
            .Single(r => r.Text("properties.principalId") == TestDeployment.HubAppPrincipalId)
            .Text("properties.condition")!;

        Assert.Equal((own.Container("products"), BuiltInRole.StorageBlobDataReader), (hub.Scope, hub.RoleDefinitionId));
        Assert.Contains("StringLike '*/_manifest.json'", condition, StringComparison.Ordinal);
        // A listing is refused outright (the second clause has no OR): blob names never reach the hub.
        Assert.EndsWith("AND (!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND SubOperationMatches{'Blob.List'}))", condition, StringComparison.Ordinal);
    }

    [Fact]
    public void QueueGrants_DomainSnapshot_UpstreamTopicsMaySendToPipelineTriggersOnly()
    {
        var own = DeployedResources.Of(infra.Domain);
        var foreign = new[] { TestDeployment.Treasury.TopicPrincipalId, TestDeployment.SupplyChain.TopicPrincipalId };

        var grants = Assignments(infra.Domain).Where(a => foreign.Contains(a.Principal)).Select(a => (a.Scope, a.RoleDefinitionId)).Distinct().ToList();

        Assert.Equal([(own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender)], grants);
        Assert.Equal(2, Assignments(infra.Domain).Count(a => foreign.Contains(a.Principal)));
    }

    [Fact]
    public void RoleAssignments_DomainSnapshot_GrantEachIdentityOnlyWhatItNeeds()
    {
        var own = DeployedResources.Of(infra.Domain);
        var events = own.Identity("id-events-");
        var topicIdentity = own.Identity("id-topic-");
        var topic = infra.Domain.Single("Microsoft.EventGrid/topics").Text("id")!;
        var vault = infra.Domain.Single(KeyVaultTests.VaultType).Text("id")!;
        var expected = new[]
        {
            // The app: Functions host, Durable Task hub and pipeline on its own account; telemetry; product events.
            (own.StorageAccountId, BuiltInRole.StorageBlobDataOwner, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageQueueDataContributor, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageTableDataContributor, own.AppIdentityId),
            (own.ApplicationInsightsId, BuiltInRole.MonitoringMetricsPublisher, own.AppIdentityId),
            (topic, BuiltInRole.EventGridDataSender, own.AppIdentityId),
            // The masking key, through the app setting's Key Vault reference.
            (vault, BuiltInRole.KeyVaultSecretsUser, own.AppIdentityId),
            // Event Grid (blob arrivals; its own products' events): add messages to one queue, write dead letters.
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, events),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, events),
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, topicIdentity),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, topicIdentity),
            // The topics of the upstream domains it reads (registered): that queue only.
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, TestDeployment.Treasury.TopicPrincipalId),
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, TestDeployment.SupplyChain.TopicPrincipalId),
            // The consumers its access rules admit: read their products in the products container (condition checked above).
            (own.Container("products"), BuiltInRole.StorageBlobDataReader, TestDeployment.Treasury.AppPrincipalId),
            (own.Container("products"), BuiltInRole.StorageBlobDataReader, TestDeployment.Sales.AppPrincipalId),
            // The hub's catalog: release manifests only (condition checked above).
            (own.Container("products"), BuiltInRole.StorageBlobDataReader, TestDeployment.HubAppPrincipalId),
            // The hub operator: event subscriptions in this group (the hub's catalog subscription on the topic).
            (own.ResourceGroupId, BuiltInRole.EventGridEventSubscriptionContributor, TestDeployment.OperatorPrincipalId),
            // The deploying user may drop files into landing, and read the masking key back when azd provisions again.
            (own.Container("landing"), BuiltInRole.StorageBlobDataContributor, TestDeployment.DeployerPrincipalId),
            (vault, BuiltInRole.KeyVaultSecretsUser, TestDeployment.DeployerPrincipalId),
            // The domain's operators group (a second operator, a CI principal) may read it back to re-provision too.
            (vault, BuiltInRole.KeyVaultSecretsUser, TestDeployment.OperatorsGroupId),
        };

        AssertGrants(expected, Assignments(infra.Domain));
    }

    [Fact]
    public void RoleAssignments_HubSnapshot_GrantEachIdentityOnlyWhatItNeeds()
    {
        var own = DeployedResources.Of(infra.Hub);
        var topicId = infra.Hub.Single("Microsoft.EventGrid/topics").Text("id")!;
        var delivery = own.Identity("id-mesh-");
        var expected = new[]
        {
            (own.StorageAccountId, BuiltInRole.StorageBlobDataOwner, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageQueueDataContributor, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageTableDataContributor, own.AppIdentityId),
            (own.ApplicationInsightsId, BuiltInRole.MonitoringMetricsPublisher, own.AppIdentityId),
            (topicId, BuiltInRole.EventGridDataSender, own.AppIdentityId),
            (own.Queue("catalog-events"), BuiltInRole.StorageQueueDataMessageSender, delivery),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, delivery),
        }.Concat(TestDeployment.Registry.SelectMany(r => new[]
        {
            // Each registered domain's topic: the catalog queue and dead letters of its catalog subscription.
            (own.Queue("catalog-events"), BuiltInRole.StorageQueueDataMessageSender, r.TopicPrincipalId),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, r.TopicPrincipalId),
        }));

        AssertGrants(expected, Assignments(infra.Hub));
    }

    [Fact]
    public void RoleAssignments_Snapshots_NameManagedIdentitiesAsServicePrincipals()
    {
        var assignments = Assignments(infra.Domain).Concat(Assignments(infra.Hub)).Where(a => a.Principal.StartsWith('/')).ToList();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

    [Fact]
    public void RoleAssignments_HubSnapshot_StayInTheHubsOwnResourceGroup()
    {
        var outside = Assignments(infra.Hub).Where(a => !IsOn(a.Scope, TestDeployment.HubResourceGroupId)).ToList();

        Assert.True(outside.Count == 0, string.Join('\n', outside));
    }

    private static void AssertReadsOnly(string condition, string[] prefixes)
    {
        // Reads: blob path under an admitted product; listings: an admitted product's prefix; nothing else is allowed.
        Assert.Contains("!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})", condition, StringComparison.Ordinal);
        Assert.Contains("!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND SubOperationMatches{'Blob.List'})", condition, StringComparison.Ordinal);
        var paths = PathPrefixes().Matches(condition).Select(m => m.Groups["p"].Value).Order(StringComparer.Ordinal);
        var listings = ListPrefixes().Matches(condition).Select(m => m.Groups["p"].Value).Order(StringComparer.Ordinal);
        Assert.Equal(prefixes, paths);
        Assert.Equal(prefixes, listings);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"@Resource\[Microsoft\.Storage/storageAccounts/blobServices/containers/blobs:path\] StringStartsWith '(?<p>[^']*)'")]
    private static partial System.Text.RegularExpressions.Regex PathPrefixes();

    [System.Text.RegularExpressions.GeneratedRegex(@"@Request\[Microsoft\.Storage/storageAccounts/blobServices/containers/blobs:prefix\] StringStartsWith '(?<p>[^']*)'")]
    private static partial System.Text.RegularExpressions.Regex ListPrefixes();

    private static List<RoleAssignment> Assignments(DeploymentSnapshot snapshot) =>
        snapshot.OfType(RoleAssignmentType).Select(RoleAssignment.From).ToList();

    private static bool IsOn(string scope, string resourceId) =>
        scope == resourceId || scope.StartsWith(resourceId + "/", StringComparison.Ordinal);

    private static void AssertGrants(IEnumerable<(string Scope, string Role, string Principal)> expected, IEnumerable<RoleAssignment> actual)
    {
        static string Show((string Scope, string Role, string Principal) g) => $"{BuiltInRole.NameOf(g.Role)} for {g.Principal} on {g.Scope}";

        var want = expected.Select(Show).Order(StringComparer.Ordinal).ToList();
        var have = actual.Select(a => Show((a.Scope, a.RoleDefinitionId, a.Principal))).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(want, have);
    }
}
