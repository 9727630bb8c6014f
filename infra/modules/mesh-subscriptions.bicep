// Deployed by a domain into the hub's resource group: lets the domain app publish on the mesh topic (EventGrid Data
// Sender on that topic only) and subscribes the domain's pipeline-triggers queue to the ProductVersionPublished
// events of each upstream product its specs read (generated/subscriptions.json, written by `datamesh infra`).

@description('The mesh topic (in this resource group).')
param topicName string

@description('The identity the mesh topic delivers with (in this resource group).')
param deliveryIdentityName string

@description('The subscribing domain: prefixes the subscription names.')
param domain string

@description('The domain app\'s identity: may publish events on the mesh topic.')
param senderPrincipalId string

@description('Product ids (<domain>.<name>) whose published releases start this domain\'s pipelines.')
param upstreamProducts string[]

@description('Resource id of the domain\'s storage account.')
param storageAccountId string

param queueName string = 'pipeline-triggers'

param deadLetterContainerName string = 'deadletter'

var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource deliveryIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: deliveryIdentityName
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
resource upstream 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [
  for productId in upstreamProducts: {
    parent: topic
    name: '${take(replace('${domain}--${productId}', '.', '-'), 50)}-${uniqueString(domain, productId)}'
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      filter: {
        // CloudEvent subject: <productId>/<version>/<release>
        subjectBeginsWith: '${productId}/'
        includedEventTypes: [
          'DataMesh.ProductVersionPublished'
        ]
      }
      deliveryWithResourceIdentity: {
        identity: {
          type: 'UserAssigned'
          userAssignedIdentity: deliveryIdentity.id
        }
        destination: {
          endpointType: 'StorageQueue'
          properties: {
            resourceId: storageAccountId
            queueName: queueName
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
          userAssignedIdentity: deliveryIdentity.id
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: storageAccountId
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
  }
]

output topicEndpoint string = topic.properties.endpoint
output subscriptionNames string[] = [for (productId, i) in upstreamProducts: upstream[i].name]
