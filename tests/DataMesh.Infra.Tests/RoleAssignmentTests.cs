using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// Each identity gets only what it needs, on the deployment's own resources: a domain's identities have no role on
/// any storage or vault but their own; the only role outside the domain is EventGrid Data Sender on the mesh topic.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class RoleAssignmentTests(InfraFixture infra)
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
    public void RoleAssignments_DomainSnapshot_StayOnTheDomainsOwnResourcesOrSendToTheMeshTopic()
    {
        var own = DeployedResources.Of(infra.Domain);
        var assignments = Assignments(infra.Domain);

        var vault = infra.Domain.Single(KeyVaultTests.VaultType).Text("id")!;
        var outside = assignments.Where(a => !IsOn(a.Scope, own.StorageAccountId)
                && !(a.Scope == vault && a.RoleDefinitionId == BuiltInRole.KeyVaultSecretsUser)
                && !(a.Scope == own.ApplicationInsightsId && a.RoleDefinitionId == BuiltInRole.MonitoringMetricsPublisher)
                && !(a.Scope == TestDeployment.MeshTopicId && a.RoleDefinitionId == BuiltInRole.EventGridDataSender))
            .ToList();

        Assert.StartsWith(own.ResourceGroupId + "/", own.StorageAccountId, StringComparison.Ordinal);
        Assert.True(outside.Count == 0, string.Join('\n', outside));
    }

    [Fact]
    public void RoleAssignments_DomainSnapshot_GrantEachIdentityOnlyWhatItNeeds()
    {
        var own = DeployedResources.Of(infra.Domain);
        var events = own.Identity("id-events-");
        var mesh = TestDeployment.MeshDeliveryIdentityId;
        var vault = infra.Domain.Single(KeyVaultTests.VaultType).Text("id")!;
        var expected = new[]
        {
            // The app: Functions host, Durable Task hub and pipeline on its own account; telemetry; product events.
            (own.StorageAccountId, BuiltInRole.StorageBlobDataOwner, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageQueueDataContributor, own.AppIdentityId),
            (own.StorageAccountId, BuiltInRole.StorageTableDataContributor, own.AppIdentityId),
            (own.ApplicationInsightsId, BuiltInRole.MonitoringMetricsPublisher, own.AppIdentityId),
            (TestDeployment.MeshTopicId, BuiltInRole.EventGridDataSender, own.AppIdentityId),
            // The masking key, through the app setting's Key Vault reference.
            (vault, BuiltInRole.KeyVaultSecretsUser, own.AppIdentityId),
            // Event Grid (blob arrivals; upstream product events): add messages to one queue, write dead letters.
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, events),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, events),
            (own.Queue("pipeline-triggers"), BuiltInRole.StorageQueueDataMessageSender, mesh),
            (own.Container("deadletter"), BuiltInRole.StorageBlobDataContributor, mesh),
            // The deploying user may drop files into landing, and read the masking key back when azd provisions again.
            (own.Container("landing"), BuiltInRole.StorageBlobDataContributor, TestDeployment.DeployerPrincipalId),
            (vault, BuiltInRole.KeyVaultSecretsUser, TestDeployment.DeployerPrincipalId),
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
        };

        AssertGrants(expected, Assignments(infra.Hub));
    }

    [Fact]
    public void RoleAssignments_Snapshots_NameManagedIdentitiesAsServicePrincipals()
    {
        var assignments = Assignments(infra.Domain).Concat(Assignments(infra.Hub)).Where(a => a.Principal.StartsWith('/')).ToList();

        Assert.NotEmpty(assignments);
        Assert.All(assignments, a => Assert.Equal("ServicePrincipal", a.PrincipalType));
    }

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
