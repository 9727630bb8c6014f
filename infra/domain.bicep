// One domain of the mesh, in its own resource group: its storage account (landing, products, quarantine, archive, staging),
// its Flex Consumption function app, its Key Vault (the masking key), blob arrivals routed to the pipeline-triggers queue by Event Grid, monitoring,
// and - in the hub's resource group - its right to publish on the mesh topic and its subscriptions to the upstream
// products it reads. Every identity is user-assigned; every role is scoped to this domain's own resources or, for
// EventGrid Data Sender, to the mesh topic.

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

@description('Resource group of the mesh hub (the mesh topic and its delivery identity).')
@minLength(1)
param meshResourceGroupName string

@description('The mesh topic (hub output MESH_TOPIC_NAME).')
@minLength(1)
param meshTopicName string

@description('The identity the mesh topic delivers with (hub output MESH_DELIVERY_IDENTITY_NAME).')
@minLength(1)
param meshDeliveryIdentityName string

@description('Product ids (<domain>.<name>) this domain\'s products take as input.')
param upstreamProducts string[] = []

@description('Optional: the deploying user, allowed to upload into the landing container (azd: AZURE_PRINCIPAL_ID).')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

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

resource meshTopic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: meshTopicName
  scope: resourceGroup(meshResourceGroupName)
}

resource meshDeliveryIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: meshDeliveryIdentityName
  scope: resourceGroup(meshResourceGroupName)
}

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
    // Blob arrivals (this domain's system topic) and upstream product events (the mesh topic).
    eventDeliveryPrincipalIds: [
      eventsIdentity.properties.principalId
      meshDeliveryIdentity.properties.principalId
    ]
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
    tags: union(tags, { 'azd-service-name': serviceName })
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    meshApiClientId: meshApiClientId
    appSettings: union(disabledFunctions, {
      DataMesh__Mode: 'domain'
      DataMesh__Domain: domain
      DataMesh__TaskHub: taskHubName
      DataMesh__Storage__BlobServiceUri: storage.outputs.blobEndpoint
      DataMesh__Storage__QueueServiceUri: storage.outputs.queueEndpoint
      DataMesh__Storage__TableServiceUri: storage.outputs.tableEndpoint
      DataMesh__Events__TopicEndpoint: meshTopic.properties.endpoint
      // DuckDB gets half of the instance; the rest is the host, the worker and the SDK buffers.
      DataMesh__Pipeline__MemoryLimit: '${instanceMemoryMB / 2}MB'
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

module mesh 'modules/mesh-subscriptions.bicep' = {
  name: take('datamesh-${domain}-${resourceToken}', 64)
  scope: resourceGroup(meshResourceGroupName)
  params: {
    topicName: meshTopic.name
    deliveryIdentityName: meshDeliveryIdentity.name
    domain: domain
    senderPrincipalId: appIdentity.properties.principalId
    upstreamProducts: upstreamProducts
    // Through the storage module's output: the queue and the delivery identity's roles exist first.
    storageAccountId: storage.outputs.id
    queueName: pipelineTriggersQueue
    deadLetterContainerName: deadLetterContainerName
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
output upstreamSubscriptions string[] = mesh.outputs.subscriptionNames
