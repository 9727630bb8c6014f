// Deployed by the hub into a registered domain's resource group (the only place an Event Grid subscription on that
// domain's topic can live): delivers the domain's product events to the hub's catalog-events queue, with the domain
// topic's identity (the hub grants it Storage Queue Data Message Sender on that queue). The hub, not the domain,
// writes the filter: only events whose CloudEvents source is /domains/<domain>/... pass, so an event the domain's app
// sends about another domain's product never reaches the catalog. The domain team lets the hub operator do this by
// granting EventGrid EventSubscription Contributor on its resource group (domain.bicep, meshOperatorPrincipalId).

@description('The domain\'s topic (in this resource group).')
param topicName string

@description('The domain the topic belongs to, as registered with the hub.')
param domain string

@description('Resource id of the domain topic\'s user-assigned delivery identity.')
param deliveryIdentityId string

@description('Resource id of the hub\'s catalog storage account (catalog-events queue, deadletter container).')
param catalogStorageAccountId string

param catalogQueueName string = 'catalog-events'

param deadLetterContainerName string = 'deadletter'

@description('The CloudEvent types a domain announces (DESIGN §6).')
param eventTypes string[] = [
  'DataMesh.ProductVersionPublished'
  'DataMesh.QualityCheckFailed'
  'DataMesh.PipelineRunFailed'
]

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource catalog 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'mesh-catalog'
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    filter: {
      includedEventTypes: eventTypes
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
          resourceId: catalogStorageAccountId
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
          resourceId: catalogStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = catalog.name
