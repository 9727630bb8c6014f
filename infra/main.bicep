// azd entry point (subscription scope): one resource group per azd environment holding either one domain of the
// mesh (DATAMESH_MODE=domain, the default) or the mesh hub (DATAMESH_MODE=hub). The same app package serves both.

targetScope = 'subscription'

import { MeshRegistry, MeshSubscriptions } from 'types.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group and seeds the resource token.')
param environmentName string

@minLength(1)
@description('Primary location for all resources: a region with Flex Consumption (`az functionapp list-flexconsumption-locations`, or the Flex Consumption docs), so a wrong region fails at parameter validation, not late at site creation.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('What this environment deploys: a domain of the mesh, or the mesh hub (topic and catalog).')
@allowed(['domain', 'hub'])
param mode string = 'domain'

@description('The domain (as in product.yaml); empty means the environment name.')
param domain string = ''

@description('Domain mode, optional: the hub operator (hub output MESH_OPERATOR_PRINCIPAL_ID), allowed to manage event subscriptions in this domain\'s resource group so the hub subscribes its catalog to the domain\'s topic.')
param meshOperatorPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param meshOperatorPrincipalType string = 'User'

@description('Client id (appId) of the mesh API app registration: both the hub and every domain app validate Entra tokens issued for api://<this id> (App Service authentication). The hub\'s preprovision hook creates the registration and sets MESH_API_CLIENT_ID; a domain sets the value the hub printed. Required: without it no app could tell who calls, and domain or restricted products would be unreadable.')
@minLength(36)
@maxLength(36)
param meshApiClientId string

@description('What each domain reads and who reads it, generated from the specs by `datamesh infra` (generated/subscriptions.json).')
param upstreamSubscriptions MeshSubscriptions = loadJsonContent('generated/subscriptions.json')

@description('The deployed domains: where each lives (any subscription) and its identities (domains.json, kept by the hub operator from each domain\'s postprovision output).')
param registry MeshRegistry = loadJsonContent('domains.json')

@description('Optional resource group name; default rg-<environment>.')
param resourceGroupName string = ''

@description('Optional: the deploying user (azd: AZURE_PRINCIPAL_ID), allowed to upload into the landing container.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@secure()
@description('Domain mode: the masking key for `hash` masking, kept in the domain\'s Key Vault. azd passes $(secretOrRandomPassword \${DATAMESH_VAULT_NAME} masking-key): random on the first provision, then read back from the vault.')
param maskingKey string = ''

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Domain mode: always-ready instances of the app\'s `durable` scale group (orchestrators and activities). 0 (the default) scales to zero: a run after an idle period waits for a cold start. The Durable docs recommend 1 on Flex Consumption; each instance is billed all the time at the always-ready baseline rate for instanceMemoryMB (2048 MB: 2 GB x 2,592,000 s = 5,184,000 GB-s per 30-day month, no free grant) plus its execution time. infra/README.md, "Durable Functions on Flex Consumption".')
@minValue(0)
@maxValue(20)
param durableAlwaysReady int = 0

@description('Domain mode, optional: object id of an Entra group (operators, CI principals) that may re-provision this domain: it gets Key Vault Secrets User on the domain\'s vault, so azd\'s secretOrRandomPassword can read the masking key back (main.parameters.json). Without it only the first deployer (principalId) can.')
param domainOperatorsGroupId string = ''

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var domainName = empty(domain) ? environmentName : domain
var tags = union(
  { 'azd-env-name': environmentName, 'datamesh-mode': mode },
  mode == 'domain' ? { 'datamesh-domain': domainName } : {}
)

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module domainDeployment 'domain.bicep' = if (mode == 'domain') {
  name: 'datamesh-domain'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    domain: domainName
    meshApiClientId: meshApiClientId
    subscriptions: upstreamSubscriptions
    registry: registry
    meshOperatorPrincipalId: meshOperatorPrincipalId
    meshOperatorPrincipalType: meshOperatorPrincipalType
    principalId: principalId
    principalType: principalType
    maskingKey: maskingKey
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    durableAlwaysReady: durableAlwaysReady
    operatorsGroupId: domainOperatorsGroupId
  }
}

module hubDeployment 'hub.bicep' = if (mode == 'hub') {
  name: 'datamesh-hub'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    meshApiClientId: meshApiClientId
    registry: registry
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output DATAMESH_MODE string = mode
output AZURE_FUNCTION_APP_NAME string = mode == 'hub' ? hubDeployment!.outputs.functionAppName : domainDeployment!.outputs.functionAppName
output AZURE_STORAGE_ACCOUNT_NAME string = mode == 'hub' ? hubDeployment!.outputs.storageAccountName : domainDeployment!.outputs.storageAccountName
// The hub's web catalog: its postprovision hook registers this address as the mesh API's SPA redirect URI (sign-in).
output DATAMESH_CATALOG_URL string = mode == 'hub' ? 'https://${hubDeployment!.outputs.functionAppHostName}/api/catalog/' : ''
output SERVICE_FUNCTIONS_URI string = 'https://${mode == 'hub' ? hubDeployment!.outputs.functionAppHostName : domainDeployment!.outputs.functionAppHostName}'
output DATAMESH_DOMAIN string = mode == 'domain' ? domainName : ''
// secretOrRandomPassword reads the masking key back from this vault at the next provision (main.parameters.json).
output DATAMESH_VAULT_NAME string = mode == 'domain' ? domainDeployment!.outputs.vaultName : ''
// The app's identity, granted the mesh API app role DataMesh.Domain.<domain> by the postprovision hook.
output DATAMESH_APP_PRINCIPAL_ID string = mode == 'domain' ? domainDeployment!.outputs.appPrincipalId : hubDeployment!.outputs.appPrincipalId
output DATAMESH_LANDING_URL string = mode == 'domain' ? domainDeployment!.outputs.landingContainerUrl : ''
// A hub writes these for its domains; a domain environment echoes back what it was given.
output MESH_API_CLIENT_ID string = meshApiClientId
output MESH_OPERATOR_PRINCIPAL_ID string = mode == 'hub' ? principalId : meshOperatorPrincipalId
output MESH_OPERATOR_PRINCIPAL_TYPE string = mode == 'hub' ? principalType : meshOperatorPrincipalType
// The hub's catalog API, which every domain app's publish gate asks (domains.json's "hub" entry, catalogEndpoint); a
// domain echoes what its registry gave it (empty: not wired, its postprovision says so).
output MESH_HUB_CATALOG_ENDPOINT string = mode == 'hub' ? 'https://${hubDeployment!.outputs.functionAppHostName}/api/' : domainDeployment!.outputs.hubCatalogEndpoint
output MESH_TOPIC_NAME string = mode == 'hub' ? hubDeployment!.outputs.meshTopicName : ''
output MESH_TOPIC_ENDPOINT string = mode == 'hub' ? hubDeployment!.outputs.meshTopicEndpoint : ''
// A domain's own topic (its app's DataMesh__Events__TopicEndpoint) and what the registry (domains.json) records of it.
output DATAMESH_TOPIC_NAME string = mode == 'domain' ? domainDeployment!.outputs.topicName : ''
output DATAMESH_TOPIC_ENDPOINT string = mode == 'domain' ? domainDeployment!.outputs.topicEndpoint : ''
output DATAMESH_TOPIC_IDENTITY_NAME string = mode == 'domain' ? domainDeployment!.outputs.topicIdentityName : ''
output DATAMESH_TOPIC_PRINCIPAL_ID string = mode == 'domain' ? domainDeployment!.outputs.topicPrincipalId : ''
// Consumers or upstreams named by the specs but not yet in domains.json (comma-separated): provision again later.
output DATAMESH_PENDING_DOMAINS string = mode == 'domain' ? join(domainDeployment!.outputs.pendingDomains, ',') : ''
