// The hub's own Event Grid custom topic (CloudEvents 1.0, Entra auth only): the hub app announces FreshnessBreached
// here, and the catalog subscription copies it to the hub's catalog-events queue. Domains announce their product
// events on topics of their own (domain-topic.bicep), which the hub subscribes to (catalog-subscription.bicep).

param name string

param location string

param tags object = {}

@description('Resource id of the identity the topic delivers with (Storage Queue Data Message Sender on catalog-events).')
param deliveryIdentityId string

@description('Identities that may publish events (EventGrid Data Sender on this topic only): the hub app.')
param senderPrincipalIds string[]

@description('The hub storage account that holds the catalog-events queue and the dead-letter container.')
param catalogStorageAccountName string

param catalogQueueName string = 'catalog-events'

param deadLetterContainerName string = 'deadletter'

@description('CloudEvent types of the mesh (DESIGN §6): all of them feed the catalog.')
param catalogEventTypes string[] = [
  'DataMesh.ProductVersionPublished'
  'DataMesh.QualityCheckFailed'
  'DataMesh.PipelineRunFailed'
  'DataMesh.FreshnessBreached'
  'DataMesh.ReleaseExpired'
]

var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource catalogStorage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: catalogStorageAccountName
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${deliveryIdentityId}': {}
    }
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
    minimumTlsVersionAllowed: '1.2'
  }
}

resource senders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in senderPrincipalIds: {
    name: guid(topic.id, principalId, eventGridDataSender)
    scope: topic
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    }
  }
]

resource catalogSubscription 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'catalog'
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    filter: {
      includedEventTypes: catalogEventTypes
    }
    deliveryWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: deliveryIdentityId
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: catalogStorage.id
          queueName: catalogQueueName
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: deliveryIdentityId
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: catalogStorage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = topic.name
output endpoint string = topic.properties.endpoint
