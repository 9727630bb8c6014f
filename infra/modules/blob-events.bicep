// The domain storage account's Event Grid system topic and the subscription that turns every committed blob in the
// landing container into a message on the pipeline-triggers queue. Event Grid delivers (and dead-letters) with a
// user-assigned identity: no queue key or SAS anywhere.

param systemTopicName string

param location string

param tags object = {}

param storageAccountName string

@description('Resource id of the identity Event Grid delivers with (Storage Queue Data Message Sender on the queue).')
param deliveryIdentityId string

param landingContainerName string = 'landing'

param queueName string = 'pipeline-triggers'

param deadLetterContainerName string = 'deadletter'

@description('Blob APIs that finish a blob: a block blob put or committed, an ADLS file flushed and closed, a copy.')
param committedBlobApis string[] = [
  'PutBlob'
  'PutBlockList'
  'FlushWithClose'
  'CopyBlob'
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${deliveryIdentityId}': {}
    }
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

resource landingBlobCreated 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: systemTopic
  name: '${landingContainerName}-blob-created'
  properties: {
    // The app reads Microsoft.Storage.BlobCreated in the Event Grid schema.
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      subjectBeginsWith: '/blobServices/default/containers/${landingContainerName}/blobs/'
      includedEventTypes: [
        'Microsoft.Storage.BlobCreated'
      ]
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: committedBlobApis
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
          resourceId: storage.id
          queueName: queueName
          // A blob arrival must not expire while the app is stopped.
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
          resourceId: storage.id
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output systemTopicName string = systemTopic.name
output subscriptionName string = landingBlobCreated.name
