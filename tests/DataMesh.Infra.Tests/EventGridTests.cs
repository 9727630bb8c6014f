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
        "DataMesh.ReleaseExpired",
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
    public void ConsumerSubscriptions_DomainSnapshot_OnePerRegisteredAdmittedConsumerAndProductOnItsOwnTopic()
    {
        var own = DeployedResources.Of(infra.Domain);
        var topic = infra.Domain.Single("Microsoft.EventGrid/topics").Text("id")!;
        var subscriptions = infra.Domain.OfType(TopicSubscriptionType).ToList();
        var destinations = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [TestDeployment.Domain] = own.StorageAccountId,
            [TestDeployment.Treasury.Domain] = TestDeployment.Treasury.StorageAccountId,
            [TestDeployment.Sales.Domain] = TestDeployment.Sales.StorageAccountId,
        };

        // marketing reads finance but is not registered yet: nothing until it is (DATAMESH_PENDING_DOMAINS says so).
        var expected = TestDeployment.Consumers.Where(c => destinations.ContainsKey(c.Consumer))
            .Select(c => $"{c.Product}/ -> {destinations[c.Consumer]}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(
            expected,
            subscriptions.Select(s => $"{s.Text("properties.filter.subjectBeginsWith")} -> {s.Text("properties.deliveryWithResourceIdentity.destination.properties.resourceId")}").Order(StringComparer.Ordinal));
        Assert.All(subscriptions, s =>
        {
            Assert.StartsWith(topic + "/eventSubscriptions/", s.Text("id"), StringComparison.Ordinal);
            Assert.Equal(["DataMesh.ProductVersionPublished"], s.Strings("properties.filter.includedEventTypes"));
            Assert.Equal("CloudEventSchemaV1_0", s.Text("properties.eventDeliverySchema"));
            Assert.Equal("pipeline-triggers", s.Text("properties.deliveryWithResourceIdentity.destination.properties.queueName"));
            Assert.Equal(own.Identity("id-topic-"), s.Text("properties.deliveryWithResourceIdentity.identity.userAssignedIdentity"));
            // Dead letters stay in the publishing domain's own account.
            Assert.Equal(own.StorageAccountId, s.Text("properties.deadLetterWithResourceIdentity.deadLetterDestination.properties.resourceId"));
            AssertSourceFilter(s, TestDeployment.Domain);
        });
        Assert.Equal("marketing", infra.Domain.Output("DATAMESH_PENDING_DOMAINS"));
    }

    [Fact]
    public void ConsumerSubscriptions_DomainSnapshot_HaveValidDistinctNames()
    {
        var names = infra.Domain.OfType(TopicSubscriptionType).Select(s => s.Text("name")!.Split('/')[^1]).ToList();

        Assert.Equal(4, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.Matches(SubscriptionName(), n));
    }

    [Fact]
    public void DomainTopic_DomainSnapshot_OwnTopicInOwnGroupWithItsOwnDeliveryIdentity()
    {
        var own = DeployedResources.Of(infra.Domain);
        var topic = infra.Domain.Single("Microsoft.EventGrid/topics");

        Assert.StartsWith(own.ResourceGroupId + "/providers/Microsoft.EventGrid/topics/", topic.Text("id"), StringComparison.Ordinal);
        Assert.Equal("CloudEventSchemaV1_0", topic.Text("properties.inputSchema"));
        Assert.True(topic.IsLiteral("properties.disableLocalAuth", true), "the domain topic accepts access keys");
        Assert.Equal([own.Identity("id-topic-")], (topic.At("identity.userAssignedIdentities") as JsonObject ?? []).Select(p => p.Key));
    }

    [Fact]
    public void CatalogSubscriptions_HubSnapshot_OnePerRegisteredDomainFilteredOnItsSourceByTheHub()
    {
        var own = DeployedResources.Of(infra.Hub);
        var hubTopic = infra.Hub.Single("Microsoft.EventGrid/topics").Text("id")!;
        var onDomains = infra.Hub.OfType(TopicSubscriptionType).Where(s => !s.Text("id")!.StartsWith(hubTopic + "/", StringComparison.Ordinal)).ToList();

        Assert.Equal(
            TestDeployment.Registry.Select(r => r.TopicId + "/eventSubscriptions/mesh-catalog").Order(StringComparer.Ordinal),
            onDomains.Select(s => s.Text("id")).Order(StringComparer.Ordinal));
        foreach (var registered in TestDeployment.Registry)
        {
            var subscription = onDomains.Single(s => s.Text("id")!.StartsWith(registered.TopicId + "/", StringComparison.Ordinal));
            // The hub writes the filter: an event from this topic about another domain's product is dropped.
            AssertSourceFilter(subscription, registered.Domain);
            Assert.DoesNotContain("DataMesh.FreshnessBreached", subscription.Strings("properties.filter.includedEventTypes"));
            Assert.Contains("DataMesh.ProductVersionPublished", subscription.Strings("properties.filter.includedEventTypes"));
            AssertQueueDelivery(subscription, own, "catalog-events", registered.TopicIdentityId);
        }
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
        var hubTopic = infra.Hub.Single("Microsoft.EventGrid/topics").Text("id")!;
        var subscription = Assert.Single(infra.Hub.OfType(TopicSubscriptionType), s => s.Text("id")!.StartsWith(hubTopic + "/", StringComparison.Ordinal));

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

        Assert.Equal(2, file?["version"]?.GetValue<int>());
        Assert.NotNull(domains);
        Assert.All(domains, domain =>
        {
            Assert.Matches(DomainName(), domain.Key);
            var products = Assert.IsType<JsonArray>(domain.Value?["upstreamProducts"]);
            Assert.All(products, p => Assert.Matches(ProductId(), p!.GetValue<string>()));
            Assert.All(Assert.IsType<JsonArray>(domain.Value?["upstreamDomains"]), d => Assert.Matches(DomainName(), d!.GetValue<string>()));
            Assert.All(Assert.IsType<JsonObject>(domain.Value?["consumers"]), c =>
            {
                Assert.Matches(DomainName(), c.Key);
                // A domain's consumers read that domain's products only.
                Assert.All(Assert.IsType<JsonArray>(c.Value), p => Assert.StartsWith(domain.Key + ".", p!.GetValue<string>(), StringComparison.Ordinal));
            });
        });
    }

    private static void AssertSourceFilter(JsonObject subscription, string domain)
    {
        var filter = Assert.Single(subscription.At("properties.filter.advancedFilters") as JsonArray ?? []);
        Assert.Equal("StringBeginsWith", filter.Text("operatorType"));
        Assert.Equal("source", filter.Text("key"));
        Assert.Equal([$"/domains/{domain}/"], filter.Strings("values"));
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
