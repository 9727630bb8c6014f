// The mesh hub, in its own resource group: the catalog storage (Products, Releases, Runs tables; the catalog-events
// queue), the catalog function app (the same app package, DataMesh__Mode=hub) and the hub's own topic (the hub app
// announces FreshnessBreached there). Each domain publishes on a topic of its own; for each domain in the registry
// (domains.json) the hub grants that topic's identity Storage Queue Data Message Sender on catalog-events (here) and
// subscribes catalog-events to the topic with a filter it writes itself: source /domains/<domain>/ (in the domain's
// resource group, where the domain lets the hub operator manage event subscriptions). A domain removed from the
// registry loses both at the hub's next provision.

import { MeshRegistry } from 'types.bicep'

param location string = resourceGroup().location

param tags object = {}

@description('Makes resource names unique; main.bicep derives it from the subscription, environment and location.')
@minLength(3)
@maxLength(13)
param resourceToken string = toLower(uniqueString(subscription().id, resourceGroup().id))

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Client id (appId) of the mesh API app registration (azd: MESH_API_CLIENT_ID, created by the hub\'s preprovision hook): App Service authentication accepts tokens issued for api://<this id>.')
@minLength(36)
@maxLength(36)
param meshApiClientId string

@description('The deployed domains (domains.json): each gets a catalog subscription on its topic and the right to deliver to catalog-events.')
param registry MeshRegistry = { version: 1, domains: {} }

@description('The azure.yaml service this app is deployed as.')
param serviceName string = 'functions'

var abbrs = loadJsonContent('abbreviations.json')
// The hub runs the catalog; the domains' functions (pipeline trigger, orchestrator, activities, run on demand) are off.
var domainFunctions = loadJsonContent('function-modes.json').domain
var disabledFunctions = toObject(domainFunctions, name => 'AzureWebJobs.${name}.Disabled', _ => 'true')
var deploymentContainerName = 'app-package'
var deadLetterContainerName = 'deadletter'
var catalogEventsQueue = 'catalog-events'
var domains = items(registry.domains)
// What the catalog checks an announcement against (the C# projection): each registered domain's blob endpoint.
// The catalog checks an announcement's location against its domain's registered account (DomainRegistrationOptions):
// an array of settings, as App Service setting names cannot hold the '-' of a domain such as supply-chain.
var domainSettings = union(
  toObject(range(0, length(domains)), i => 'DataMesh__Domains__${i}__Name', i => domains[i].key),
  toObject(range(0, length(domains)), i => 'DataMesh__Domains__${i}__StorageEndpoint', i => 'https://${domains[i].value.storageAccount}.blob.${environment().suffixes.storage}/')
)

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}app-${resourceToken}'
  location: location
  tags: tags
}

// The mesh topic delivers with this identity: to the catalog queue here, and to each domain's pipeline-triggers
// queue, where that domain grants it Storage Queue Data Message Sender.
resource deliveryIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}mesh-${resourceToken}'
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containers: [
      deadLetterContainerName
      deploymentContainerName
    ]
    queues: [catalogEventsQueue]
    tables: [
      'Products'
      'Releases'
      'Runs'
    ]
    expiringContainers: [
      { container: deadLetterContainerName, days: 30 }
    ]
    appPrincipalId: appIdentity.properties.principalId
    // The hub topic's identity and every registered domain topic's: catalog-events and dead letters, nothing else.
    eventDeliveryPrincipalIds: concat([deliveryIdentity.properties.principalId], map(domains, d => d.value.topicPrincipalId))
    eventQueueName: catalogEventsQueue
    deadLetterContainerName: deadLetterContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    publisherPrincipalIds: [appIdentity.properties.principalId]
  }
}

module topic 'modules/mesh-topic.bicep' = {
  name: 'mesh-topic'
  params: {
    name: '${abbrs.eventGridTopics}${resourceToken}'
    location: location
    tags: tags
    deliveryIdentityId: deliveryIdentity.id
    // The hub announces FreshnessBreached.
    senderPrincipalIds: [appIdentity.properties.principalId]
    catalogStorageAccountName: storage.outputs.name
    catalogQueueName: catalogEventsQueue
    deadLetterContainerName: deadLetterContainerName
  }
}

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: '${abbrs.webSitesFunctions}${resourceToken}'
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    meshApiClientId: meshApiClientId
    appSettings: union(disabledFunctions, domainSettings, {
      DataMesh__Mode: 'hub'
      DataMesh__TaskHub: 'DataMeshHub'
      DataMesh__Storage__BlobServiceUri: storage.outputs.blobEndpoint
      DataMesh__Storage__QueueServiceUri: storage.outputs.queueEndpoint
      DataMesh__Storage__TableServiceUri: storage.outputs.tableEndpoint
      DataMesh__Events__TopicEndpoint: topic.outputs.endpoint
      // The DuckDB memory limit, threads and spill cap derive from the instance size in the app (EngineLimits), with
      // headroom for the Functions host and the .NET worker; DataMesh__Pipeline__MemoryLimit would override it.
      DataMesh__Pipeline__InstanceMemoryMB: string(instanceMemoryMB)
    })
  }
}

// In each registered domain's resource group (any subscription): the hub's catalog subscription on its topic.
module catalogSubscriptions 'modules/catalog-subscription.bicep' = [
  for d in domains: {
    name: take('datamesh-catalog-${d.key}-${resourceToken}', 64)
    scope: resourceGroup(d.value.subscriptionId, d.value.resourceGroup)
    params: {
      topicName: d.value.topic
      domain: d.key
      deliveryIdentityId: resourceId(d.value.subscriptionId, d.value.resourceGroup, 'Microsoft.ManagedIdentity/userAssignedIdentities', d.value.topicIdentity)
      // Through the storage module's output: the queue and the domain identities' roles on it exist first.
      catalogStorageAccountId: storage.outputs.id
      catalogQueueName: catalogEventsQueue
      deadLetterContainerName: deadLetterContainerName
    }
  }
]

output registeredDomains string[] = [for d in domains: d.key]
output meshTopicName string = topic.outputs.name
output meshTopicEndpoint string = topic.outputs.endpoint
output meshDeliveryIdentityName string = deliveryIdentity.name
output storageAccountName string = storage.outputs.name
output functionAppName string = app.outputs.name
output functionAppHostName string = app.outputs.defaultHostName
// domains.json's "hub" entry: each domain grants it the reading of release manifests (only those).
output appPrincipalId string = appIdentity.properties.principalId
