// A storage account reached only with Entra ID (no shared keys, no public blobs, TLS 1.2, HTTPS only), its
// containers, queues and tables, and every role on it. The roles live here, next to the account they are scoped to,
// so no identity is ever granted anything on an account this deployment does not own.

@description('Storage account name: 3-24 lowercase letters and digits.')
@minLength(3)
@maxLength(24)
param name string

param location string

param tags object = {}

@description('Blob containers to create.')
param containers string[]

@description('Queues to create.')
param queues string[] = []

@description('Tables to create.')
param tables string[] = []

@description('Containers whose blobs are deleted this many days after their last write (run scratch, dead letters).')
param expiringContainers ExpiringContainer[] = []

@description('The app\'s user-assigned identity: runs the Functions host, the Durable Task hub and the pipeline on this account.')
param appPrincipalId string

@description('Identities Event Grid delivers with: may add messages to eventQueueName and write dead letters.')
param eventDeliveryPrincipalIds string[] = []

@description('Identities of other domains\' topics that deliver product events to eventQueueName: may add messages to it, nothing else (they dead-letter into their own domain\'s account).')
param queueSenderPrincipalIds string[] = []

@description('The queue Event Grid delivers to (one of queues); required when eventDeliveryPrincipalIds is not empty.')
param eventQueueName string = ''

@description('The container Event Grid writes undeliverable events to (one of containers).')
param deadLetterContainerName string = ''

@description('Optional: a person or pipeline that may upload into uploadContainerName (e.g. the deploying user, to drop landing files).')
param uploaderPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param uploaderPrincipalType string = 'User'

@description('The container uploaderPrincipalId may write to (one of containers).')
param uploadContainerName string = ''

@description('A container whose blobs expire.')
type ExpiringContainer = {
  @description('Container name (one of containers).')
  container: string
  @minValue(1)
  days: int
}

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

// The Functions host (AzureWebJobsStorage) needs blob owner; Durable Functions needs queues and tables.
var appRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    dnsEndpointType: 'Standard'
    networkAcls: {
      // Event Grid delivers to the queue as a trusted Azure service.
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = [
  for container in containers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource storageQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' = [
  for queue in queues: {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2025-06-01' = {
  parent: storage
  name: 'default'
}

resource storageTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-06-01' = [
  for table in tables: {
    parent: tableService
    name: table
  }
]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-06-01' = if (!empty(expiringContainers)) {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        for expiring in expiringContainers: {
          name: 'expire-${expiring.container}'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob', 'appendBlob']
              prefixMatch: ['${expiring.container}/']
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: expiring.days
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [blobContainers]
}

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in appRoles: {
    name: guid(storage.id, appPrincipalId, roleId)
    scope: storage
    properties: {
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    }
  }
]

resource eventQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-06-01' existing = if (!empty(eventDeliveryPrincipalIds) || !empty(queueSenderPrincipalIds)) {
  parent: queueService
  name: eventQueueName
}

resource deadLetterContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = if (!empty(eventDeliveryPrincipalIds)) {
  parent: blobService
  name: deadLetterContainerName
}

// Event Grid may only add messages to the one queue it delivers to, and write dead letters to one container.
resource eventQueueSenders 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in concat(eventDeliveryPrincipalIds, queueSenderPrincipalIds): {
    name: guid(eventQueue.id, principalId, roles.storageQueueDataMessageSender)
    scope: eventQueue
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender)
    }
    dependsOn: [storageQueues]
  }
]

resource deadLetterWriters 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for principalId in eventDeliveryPrincipalIds: {
    name: guid(deadLetterContainer.id, principalId, roles.storageBlobDataContributor)
    scope: deadLetterContainer
    properties: {
      principalId: principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    }
    dependsOn: [blobContainers]
  }
]

resource uploadContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = if (!empty(uploaderPrincipalId)) {
  parent: blobService
  name: uploadContainerName
}

resource uploader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(uploaderPrincipalId)) {
  name: guid(uploadContainer.id, uploaderPrincipalId, roles.storageBlobDataContributor)
  scope: uploadContainer
  properties: {
    principalId: uploaderPrincipalId
    principalType: uploaderPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
  dependsOn: [blobContainers]
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
