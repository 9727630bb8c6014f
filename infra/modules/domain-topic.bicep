// A domain's own Event Grid custom topic (CloudEvents 1.0, Entra auth only): the domain app is the only sender
// (EventGrid Data Sender on this topic only), so a release announced here is this domain's. The topic delivers with
// its own user-assigned identity to the pipeline-triggers queue of each consumer the specs admit (the consumer grants
// that identity Storage Queue Data Message Sender on its queue); the hub adds its catalog subscription itself.
// Everything here lives in the domain's resource group.

param name string

param location string

param tags object = {}

@description('The domain: events on this topic must carry source /domains/<domain>/...')
param domain string

@description('Resource id of the user-assigned identity the topic delivers with.')
param deliveryIdentityId string

@description('The domain app\'s identity: the only sender.')
param senderPrincipalId string

@description('Where each consumer gets the releases of a product: one subscription per (consumer, product).')
param consumerDeliveries ConsumerDelivery[]

@description('The domain\'s own storage account: undeliverable events are written to its dead-letter container.')
param deadLetterStorageAccountId string

param deadLetterContainerName string = 'deadletter'

@description('A consumer domain\'s queue that receives one product\'s ProductVersionPublished events.')
type ConsumerDelivery = {
  @description('The consumer domain.')
  consumer: string
  @description('The product id (<domain>.<name>) of this domain whose releases it reads.')
  productId: string
  @description('Where the consumer\'s storage account (its pipeline-triggers queue) lives: any subscription of the tenant.')
  subscriptionId: string
  resourceGroup: string
  storageAccount: string
}

var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

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

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, senderPrincipalId, eventGridDataSender)
  scope: topic
  properties: {
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
  }
}

// Names: 3-64 letters, digits and '-'; the hash keeps 'a-b.c' and 'a.b-c' apart.
resource consumers 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [
  for delivery in consumerDeliveries: {
    parent: topic
    name: '${take(replace('${delivery.consumer}--${delivery.productId}', '.', '-'), 50)}-${uniqueString(delivery.consumer, delivery.productId)}'
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      filter: {
        // CloudEvent subject: <productId>/<version>/<release>; source: /domains/<domain>/products/<name>.
        subjectBeginsWith: '${delivery.productId}/'
        includedEventTypes: [
          'DataMesh.ProductVersionPublished'
        ]
        advancedFilters: [
          {
            operatorType: 'StringBeginsWith'
            key: 'source'
            values: ['/domains/${domain}/']
          }
        ]
      }
      deliveryWithResourceIdentity: {
        identity: {
          type: 'UserAssigned'
          userAssignedIdentity: deliveryIdentityId
        }
        destination: {
          endpointType: 'StorageQueue'
          properties: {
            resourceId: resourceId(delivery.subscriptionId, delivery.resourceGroup, 'Microsoft.Storage/storageAccounts', delivery.storageAccount)
            queueName: 'pipeline-triggers'
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
            resourceId: deadLetterStorageAccountId
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
  }
]

output id string = topic.id
output name string = topic.name
output endpoint string = topic.properties.endpoint
output subscriptionNames string[] = [for (delivery, i) in consumerDeliveries: consumers[i].name]
