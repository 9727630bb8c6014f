// One domain of the mesh, in its own resource group, and nothing outside it: its storage account (landing, products,
// quarantine, archive, staging), its Flex Consumption function app, its Key Vault (the masking key), blob arrivals
// routed to the pipeline-triggers queue by Event Grid, monitoring, and its own Event Grid topic - the only one its app
// may send to. The cross-domain links are derived from generated/subscriptions.json (the specs) and domains.json (the
// registry) so that each side writes in its own resource group: this domain subscribes the queues of the consumers its
// access rules admit to its own topic, grants them Storage Blob Data Reader on those products' paths, and grants the
// topics of the upstreams it reads Storage Queue Data Message Sender on its queue. The hub's catalog subscription on
// this topic is the hub's (hub.bicep), made with the right granted here to meshOperatorPrincipalId.

import { MeshRegistry, MeshSubscriptions } from 'types.bicep'

param location string = resourceGroup().location

param tags object = {}

@description('Makes resource names unique; main.bicep derives it from the subscription, environment and location.')
@minLength(3)
@maxLength(13)
param resourceToken string = toLower(uniqueString(subscription().id, resourceGroup().id))

@description('The domain this deployment serves, as in its products\' product.yaml (lowercase letters, digits, \'-\').')
@minLength(1)
@maxLength(30)
param domain string

@description('What each domain reads and who reads it (generated/subscriptions.json).')
param subscriptions MeshSubscriptions

@description('The deployed domains (domains.json): consumers and upstreams not registered yet are wired on a later provision.')
param registry MeshRegistry

@description('Optional: the hub operator (azd: MESH_OPERATOR_PRINCIPAL_ID), allowed to manage event subscriptions in this resource group so the hub can subscribe its catalog to this domain\'s topic.')
param meshOperatorPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param meshOperatorPrincipalType string = 'User'

@description('Optional: the deploying user, allowed to upload into the landing container (azd: AZURE_PRINCIPAL_ID).')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Always-ready instances of the `durable` scale group (main.bicep: durableAlwaysReady; cost in infra/README.md).')
@minValue(0)
@maxValue(20)
param durableAlwaysReady int = 0

@description('Optional: an Entra group whose members may re-provision this domain (Key Vault Secrets User on its vault: azd reads the masking key back).')
param operatorsGroupId string = ''

@secure()
@minLength(12)
@description('The domain\'s masking key for `hash` masking, stored in this domain\'s Key Vault (azd: secretOrRandomPassword, see main.parameters.json).')
param maskingKey string

@description('Client id (appId) of the mesh API app registration (azd: MESH_API_CLIENT_ID, created by the hub\'s preprovision hook): App Service authentication accepts tokens issued for api://<this id>.')
@minLength(36)
@maxLength(36)
param meshApiClientId string

@description('The azure.yaml service this app is deployed as.')
param serviceName string = 'functions'

var abbrs = loadJsonContent('abbreviations.json')
// A domain app runs the pipeline; the hub's functions (catalog projection and API, freshness) are switched off.
var hubFunctions = loadJsonContent('function-modes.json').hub
var disabledFunctions = toObject(hubFunctions, name => 'AzureWebJobs.${name}.Disabled', _ => 'true')
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var deploymentContainerName = 'app-package'
var landingContainerName = 'landing'
var deadLetterContainerName = 'deadletter'
var pipelineTriggersQueue = 'pipeline-triggers'
// 3-45 letters and digits, starting with a letter (host.json reads it from DataMesh__TaskHub).
var taskHubName = take('DataMesh${replace(domain, '-', '')}', 45)

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}app-${resourceToken}'
  location: location
  tags: tags
}

resource eventsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}events-${resourceToken}'
  location: location
  tags: tags
}

// The domain topic delivers with this identity: to its own and to its admitted consumers' pipeline-triggers queues.
resource topicIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}topic-${resourceToken}'
  location: location
  tags: tags
}

var eventGridEventSubscriptionContributor = '428e0ff0-5e57-4d9c-a221-2c70d0e0a443'
var generated = subscriptions.domains[?domain] ?? { upstreamProducts: [], upstreamDomains: [], consumers: {} }
var registered = registry.domains
// Consumers this deployment can wire now: itself, and those in the registry.
var wiredConsumers = filter(items(generated.consumers), c => c.key == domain || contains(registered, c.key))
var consumerDeliveries = flatten(map(wiredConsumers, c => map(c.value, productId => {
  consumer: c.key
  productId: productId
  subscriptionId: c.key == domain ? subscription().subscriptionId : registered[c.key].subscriptionId
  resourceGroup: c.key == domain ? resourceGroup().name : registered[c.key].resourceGroup
  storageAccount: c.key == domain ? storageAccountName : registered[c.key].storageAccount
})))
var readers = map(filter(wiredConsumers, c => c.key != domain), c => {
  domain: c.key
  principalId: registered[c.key].appPrincipalId
  products: map(c.value, productId => last(split(productId, '.')))
})
var upstreamTopicPrincipalIds = map(
  filter(generated.upstreamDomains, d => d != domain && contains(registered, d)),
  d => registered[d].topicPrincipalId
)
// The accounts of the registered upstream domains it reads: the pipeline reads their releases there with the app's
// identity, which each upstream's deployment grants Storage Blob Data Reader on its admitted products only
// (RegisteredDomainAccounts in Core; DataMesh__Domains__<n>__*, an array as setting names cannot hold a domain's '-').
var readDomains = filter(generated.upstreamDomains, d => d != domain && contains(registered, d))
var upstreamAccountSettings = union(
  toObject(range(0, length(readDomains)), i => 'DataMesh__Domains__${i}__Name', i => readDomains[i]),
  toObject(range(0, length(readDomains)), i => 'DataMesh__Domains__${i}__StorageEndpoint', i => 'https://${registered[readDomains[i]].storageAccount}.blob.${environment().suffixes.storage}/')
)
// The hub's catalog, which the publish gate asks for the consumers in other domains (DataMesh__Hub__*), with a token of
// the app's identity for the mesh API: the audience the hub's App Service authentication accepts (api://<mesh API>),
// and the app role DataMesh.Domain.<domain> the postprovision hook grants that identity.
var hubCatalogEndpoint = registry.?hub.?catalogEndpoint ?? ''
var hubSettings = empty(hubCatalogEndpoint) ? {} : {
  DataMesh__Hub__CatalogEndpoint: hubCatalogEndpoint
  DataMesh__Hub__Scope: 'api://${meshApiClientId}/.default'
}
var pendingDomains = filter(
  union(objectKeys(generated.consumers), generated.upstreamDomains),
  d => d != domain && !contains(registered, d)
)

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containers: [
      landingContainerName
      'products'
      'quarantine'
      'archive'
      'staging'
      deadLetterContainerName
      deploymentContainerName
    ]
    queues: [pipelineTriggersQueue]
    expiringContainers: [
      { container: 'staging', days: 7 }
      { container: deadLetterContainerName, days: 30 }
    ]
    appPrincipalId: appIdentity.properties.principalId
    // Blob arrivals (this domain's system topic) and its own products' events (its topic): queue and dead letters.
    eventDeliveryPrincipalIds: [
      eventsIdentity.properties.principalId
      topicIdentity.properties.principalId
    ]
    // The topics of the upstream domains it reads: the queue only.
    queueSenderPrincipalIds: upstreamTopicPrincipalIds
    eventQueueName: pipelineTriggersQueue
    deadLetterContainerName: deadLetterContainerName
    uploaderPrincipalId: principalId
    uploaderPrincipalType: principalType
    uploadContainerName: landingContainerName
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    maskingKey: maskingKey
    appPrincipalId: appIdentity.properties.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    operatorsGroupId: operatorsGroupId
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

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
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
    alwaysReady: durableAlwaysReady > 0 ? [{ name: 'durable', instanceCount: durableAlwaysReady }] : []
    meshApiClientId: meshApiClientId
    appSettings: union(disabledFunctions, upstreamAccountSettings, hubSettings, {
      DataMesh__Mode: 'domain'
      DataMesh__Domain: domain
      DataMesh__TaskHub: taskHubName
      DataMesh__Storage__BlobServiceUri: storage.outputs.blobEndpoint
      DataMesh__Storage__QueueServiceUri: storage.outputs.queueEndpoint
      DataMesh__Storage__TableServiceUri: storage.outputs.tableEndpoint
      DataMesh__Events__TopicEndpoint: topic.outputs.endpoint
      // The DuckDB memory limit, threads and spill cap derive from the instance size in the app (EngineLimits), with
      // headroom for the Functions host and the .NET worker; DataMesh__Pipeline__MemoryLimit would override it.
      DataMesh__Pipeline__InstanceMemoryMB: string(instanceMemoryMB)
      // A Key Vault reference, resolved by App Service with the app's identity: the masking key never sits in the settings.
      DataMesh__Pipeline__MaskingKey: keyVault.outputs.maskingVaultReference
    })
  }
}

module blobEvents 'modules/blob-events.bicep' = {
  name: 'blob-events'
  params: {
    systemTopicName: '${abbrs.eventGridSystemTopics}${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    deliveryIdentityId: eventsIdentity.id
    landingContainerName: landingContainerName
    queueName: pipelineTriggersQueue
    deadLetterContainerName: deadLetterContainerName
  }
}

module topic 'modules/domain-topic.bicep' = {
  name: 'domain-topic'
  params: {
    name: '${abbrs.eventGridTopics}${resourceToken}'
    location: location
    tags: tags
    domain: domain
    deliveryIdentityId: topicIdentity.id
    senderPrincipalId: appIdentity.properties.principalId
    consumerDeliveries: consumerDeliveries
    // Through the storage module's output: the queue and the identity's roles on it exist first.
    deadLetterStorageAccountId: storage.outputs.id
    deadLetterContainerName: deadLetterContainerName
  }
}

module productReaders 'modules/product-readers.bicep' = {
  name: 'product-readers'
  params: {
    // The name, not the module output: the grants' names and scopes are then known before the deployment starts.
    storageAccountName: storageAccountName
    readers: readers
    manifestReaderPrincipalId: registry.?hub.?appPrincipalId ?? ''
  }
  dependsOn: [storage]
}

// The hub operator may manage event subscriptions here (and run the deployment that does): the hub's catalog
// subscription on this domain's topic, whose filter the hub writes. Nothing else in this resource group.
resource meshOperator 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(meshOperatorPrincipalId)) {
  name: guid(resourceGroup().id, meshOperatorPrincipalId, eventGridEventSubscriptionContributor)
  properties: {
    principalId: meshOperatorPrincipalId
    principalType: meshOperatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridEventSubscriptionContributor)
  }
}

output storageAccountName string = storage.outputs.name
output functionAppName string = app.outputs.name
output functionAppHostName string = app.outputs.defaultHostName
output landingContainerUrl string = '${storage.outputs.blobEndpoint}${landingContainerName}'
output taskHubName string = taskHubName
// The postprovision hook grants this identity the mesh API app role DataMesh.Domain.<domain> (Microsoft Graph).
output appPrincipalId string = appIdentity.properties.principalId
output vaultName string = keyVault.outputs.name
output topicName string = topic.outputs.name
output topicEndpoint string = topic.outputs.endpoint
output topicIdentityName string = topicIdentity.name
output topicPrincipalId string = topicIdentity.properties.principalId
// Subscriptions on this domain's topic, one per (consumer, product).
output consumerSubscriptions string[] = topic.outputs.subscriptionNames
output readerDomains string[] = productReaders.outputs.readerDomains
// Consumers or upstreams the specs name that are not in domains.json yet: provision again once they are.
output pendingDomains string[] = pendingDomains
// The hub's catalog the app's publish gate asks (empty: the registry has no hub entry with it yet).
output hubCatalogEndpoint string = hubCatalogEndpoint
