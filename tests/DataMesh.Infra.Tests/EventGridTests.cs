using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// Event Grid: committed landing blobs and upstream product releases reach the domain's pipeline-triggers queue,
/// every product event reaches the hub's catalog-events queue; deliveries use an identity, retry and dead-letter.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed partial class EventGridTests(InfraFixture infra)
{
    private const string SystemSubscriptionType = "Microsoft.EventGrid/systemTopics/eventSubscriptions";
    private const string TopicSubscriptionType = "Microsoft.EventGrid/topics/eventSubscriptions";

    private static readonly string[] CommittedBlobApis = ["CopyBlob", "FlushWithClose", "PutBlob", "PutBlockList"];

    private static readonly string[] MeshEventTypes =
    [
        "DataMesh.FreshnessBreached",
        "DataMesh.PipelineRunFailed",
        "DataMesh.ProductVersionPublished",
        "DataMesh.QualityCheckFailed",
    ];

    [Fact]
    public void SystemTopic_DomainSnapshot_WatchesTheDomainsStorageWithItsEventsIdentity()
    {
        var own = DeployedResources.Of(infra.Domain);
        var topic = infra.Domain.Single("Microsoft.EventGrid/systemTopics");

        Assert.Equal(own.StorageAccountId, topic.Text("properties.source"));
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.Text("properties.topicType"));
        Assert.Equal([own.Identity("id-events-")], (topic.At("identity.userAssignedIdentities") as JsonObject ?? []).Select(p => p.Key));
    }

    [Fact]
    public void BlobCreatedSubscription_DomainSnapshot_QueuesCommittedLandingBlobsOnly()
    {
        var own = DeployedResources.Of(infra.Domain);
        var subscription = infra.Domain.Single(SystemSubscriptionType);
        var filter = subscription.At("properties.filter");
        var advanced = Assert.Single(filter.At("advancedFilters") as JsonArray ?? []);

        Assert.Equal("/blobServices/default/containers/landing/blobs/", filter.Text("subjectBeginsWith"));
        Assert.Equal(["Microsoft.Storage.BlobCreated"], filter.Strings("includedEventTypes"));
        Assert.Equal("StringIn", advanced.Text("operatorType"));
        Assert.Equal("data.api", advanced.Text("key"));
        Assert.Equal(CommittedBlobApis, advanced.Strings("values").Order(StringComparer.Ordinal));
        Assert.Equal("EventGridSchema", subscription.Text("properties.eventDeliverySchema"));
        AssertQueueDelivery(subscription, own, "pipeline-triggers", own.Identity("id-events-"));
    }

    [Fact]
    public void UpstreamSubscriptions_DomainSnapshot_OnePerUpstreamProductIntoPipelineTriggers()
    {
        var own = DeployedResources.Of(infra.Domain);
        var subscriptions = infra.Domain.OfType(TopicSubscriptionType).ToList();

        Assert.All(subscriptions, s => Assert.StartsWith(TestDeployment.MeshTopicId + "/eventSubscriptions/", s.Text("id"), StringComparison.Ordinal));
        Assert.Equal(
            TestDeployment.UpstreamProducts.Select(p => p + "/").Order(StringComparer.Ordinal),
            subscriptions.Select(s => s.Text("properties.filter.subjectBeginsWith")).Order(StringComparer.Ordinal));
        Assert.All(subscriptions, s =>
        {
            Assert.Equal(["DataMesh.ProductVersionPublished"], s.Strings("properties.filter.includedEventTypes"));
            Assert.Equal("CloudEventSchemaV1_0", s.Text("properties.eventDeliverySchema"));
            AssertQueueDelivery(s, own, "pipeline-triggers", TestDeployment.MeshDeliveryIdentityId);
        });
    }

    [Fact]
    public void UpstreamSubscriptions_DomainSnapshot_HaveValidDistinctNames()
    {
        var names = infra.Domain.OfType(TopicSubscriptionType).Select(s => s.Text("name")!.Split('/')[^1]).ToList();

        Assert.Equal(TestDeployment.UpstreamProducts.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.Matches(SubscriptionName(), n));
        Assert.All(names, n => Assert.StartsWith(TestDeployment.Domain + "--", n, StringComparison.Ordinal));
    }

    [Fact]
    public void MeshTopic_HubSnapshot_TakesCloudEventsWithEntraAuthOnly()
    {
        var own = DeployedResources.Of(infra.Hub);
        var topic = infra.Hub.Single("Microsoft.EventGrid/topics");

        Assert.Equal("CloudEventSchemaV1_0", topic.Text("properties.inputSchema"));
        Assert.True(topic.IsLiteral("properties.disableLocalAuth", true), "the mesh topic accepts access keys");
        Assert.Equal("1.2", topic.Text("properties.minimumTlsVersionAllowed"));
        Assert.Equal([own.Identity("id-mesh-")], (topic.At("identity.userAssignedIdentities") as JsonObject ?? []).Select(p => p.Key));
    }

    [Fact]
    public void MeshTopics_EveryTemplate_TakeCloudEventsWithEntraAuthOnly()
    {
        var topics = infra.Templates.Values.SelectMany(t => t.Deployed("Microsoft.EventGrid/topics")).ToList();

        Assert.NotEmpty(topics);
        Assert.All(topics, t =>
        {
            Assert.Equal("CloudEventSchemaV1_0", t.Body.Text("properties.inputSchema"));
            Assert.True(t.Body.IsLiteral("properties.disableLocalAuth", true), $"{t} accepts access keys");
        });
    }

    [Fact]
    public void CatalogSubscription_HubSnapshot_DeliversEveryMeshEventTypeToCatalogEvents()
    {
        var own = DeployedResources.Of(infra.Hub);
        var subscription = infra.Hub.Single(TopicSubscriptionType);

        Assert.Equal(MeshEventTypes, subscription.Strings("properties.filter.includedEventTypes").Order(StringComparer.Ordinal));
        Assert.Null(subscription.At("properties.filter.subjectBeginsWith"));
        Assert.Equal("CloudEventSchemaV1_0", subscription.Text("properties.eventDeliverySchema"));
        AssertQueueDelivery(subscription, own, "catalog-events", own.Identity("id-mesh-"));
    }

    [Fact]
    public void EventSubscriptions_EveryTemplate_DeliverWithIdentityRetryAndDeadLetter()
    {
        var subscriptions = infra.Templates.Values
            .SelectMany(t => t.Deployed(SystemSubscriptionType).Concat(t.Deployed(TopicSubscriptionType)))
            .ToList();

        Assert.NotEmpty(subscriptions);
        Assert.All(subscriptions, s =>
        {
            Assert.Equal("StorageQueue", s.Body.Text("properties.deliveryWithResourceIdentity.destination.endpointType"));
            Assert.Equal("UserAssigned", s.Body.Text("properties.deliveryWithResourceIdentity.identity.type"));
            Assert.Equal("StorageBlob", s.Body.Text("properties.deadLetterWithResourceIdentity.deadLetterDestination.endpointType"));
            Assert.Equal("UserAssigned", s.Body.Text("properties.deadLetterWithResourceIdentity.identity.type"));
            Assert.NotNull(s.Body.At("properties.retryPolicy.maxDeliveryAttempts"));
            Assert.NotNull(s.Body.At("properties.retryPolicy.eventTimeToLiveInMinutes"));
            // Key-based delivery would sit here instead.
            Assert.Null(s.Body.At("properties.destination"));
            Assert.Null(s.Body.At("properties.deadLetterDestination"));
        });
    }

    [Fact]
    public void SubscriptionsFile_Committed_ListsUpstreamProductIdsPerDomain()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "generated", "subscriptions.json")));
        var domains = file?["domains"] as JsonObject;

        Assert.Equal(1, file?["version"]?.GetValue<int>());
        Assert.NotNull(domains);
        Assert.All(domains, domain =>
        {
            Assert.Matches(DomainName(), domain.Key);
            var products = Assert.IsType<JsonArray>(domain.Value?["upstreamProducts"]);
            Assert.All(products, p => Assert.Matches(ProductId(), p!.GetValue<string>()));
        });
    }

    private static void AssertQueueDelivery(JsonObject subscription, DeployedResources own, string queue, string identityId)
    {
        var delivery = subscription.At("properties.deliveryWithResourceIdentity");
        var deadLetter = subscription.At("properties.deadLetterWithResourceIdentity");

        Assert.Equal("UserAssigned", delivery.Text("identity.type"));
        Assert.Equal(identityId, delivery.Text("identity.userAssignedIdentity"));
        Assert.Equal("StorageQueue", delivery.Text("destination.endpointType"));
        Assert.Equal(own.StorageAccountId, delivery.Text("destination.properties.resourceId"));
        Assert.Equal(queue, delivery.Text("destination.properties.queueName"));
        Assert.Equal(identityId, deadLetter.Text("identity.userAssignedIdentity"));
        Assert.Equal("StorageBlob", deadLetter.Text("deadLetterDestination.endpointType"));
        Assert.Equal(own.StorageAccountId, deadLetter.Text("deadLetterDestination.properties.resourceId"));
        Assert.Equal("deadletter", deadLetter.Text("deadLetterDestination.properties.blobContainerName"));
        Assert.True(subscription.At("properties.retryPolicy.maxDeliveryAttempts")?.GetValue<int>() > 1, "no retries");
        Assert.True(subscription.At("properties.retryPolicy.eventTimeToLiveInMinutes")?.GetValue<int>() >= 60, "events expire within the hour");
    }

    [GeneratedRegex("^[A-Za-z0-9-]{3,64}$")]
    private static partial Regex SubscriptionName();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex DomainName();

    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ProductId();
}
