// Cross-domain reads by grant: Storage Blob Data Reader on this domain's products container for each consumer
// domain's app identity that the specs admit (generated/subscriptions.json, consumers), narrowed by a role
// assignment condition (Azure ABAC) to the paths of the products it is admitted to read: <name>/... for reads,
// prefix <name>/ for listings. Storage itself refuses anything else. A reader no longer admitted by the specs is no
// longer in the template, and the deployment stack deletes its assignment.

@description('This domain\'s storage account (in this resource group).')
param storageAccountName string

param containerName string = 'products'

@description('The consumers: an app identity and the product names (without domain) it may read.')
param readers Reader[]

type Reader = {
  @description('The consumer domain (names the grant).')
  domain: string
  @description('Principal id of the consumer domain app\'s identity (from the registry, infra/domains.json).')
  principalId: string
  @description('Product names (the part after \'<domain>.\') it is admitted to and reads.')
  products: string[]
}

@description('Optional: the hub app\'s identity, which may read release manifests (_manifest.json) and nothing else, to check that an announced release exists before the catalog records it.')
param manifestReaderPrincipalId string = ''

var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
var readAction = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' existing = {
  parent: storage
  name: 'default'
}

resource container 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = {
  parent: blobService
  name: containerName
}

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for reader in readers: {
    name: guid(container.id, reader.principalId, storageBlobDataReader)
    scope: container
    properties: {
      principalId: reader.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
      description: 'DataMesh: domain ${reader.domain} reads ${join(reader.products, ', ')}'
      conditionVersion: '2.0'
      // Reading a blob: only under an admitted product's path. Listing: only with an admitted product's prefix.
      condition: '((!(ActionMatches{\'${readAction}\'} AND NOT SubOperationMatches{\'Blob.List\'})) OR (${join(map(reader.products, p => '@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringStartsWith \'${p}/\''), ' OR ')})) AND ((!(ActionMatches{\'${readAction}\'} AND SubOperationMatches{\'Blob.List\'})) OR (${join(map(reader.products, p => '@Request[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:prefix] StringStartsWith \'${p}/\''), ' OR ')}))'
    }
  }
]

// The hub's catalog: a manifest's GET only (file names, row counts, checksums: no data), never a listing, never a data file.
resource manifestReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(manifestReaderPrincipalId)) {
  name: guid(container.id, manifestReaderPrincipalId, storageBlobDataReader, 'manifests')
  scope: container
  properties: {
    principalId: manifestReaderPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    description: 'DataMesh: the hub catalog checks announced releases (manifests only)'
    conditionVersion: '2.0'
    condition: '((!(ActionMatches{\'${readAction}\'} AND NOT SubOperationMatches{\'Blob.List\'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringLike \'*/_manifest.json\')) AND (!(ActionMatches{\'${readAction}\'} AND SubOperationMatches{\'Blob.List\'}))'
  }
}

output readerDomains string[] = [for reader in readers: reader.domain]
