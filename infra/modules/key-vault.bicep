// The domain's Key Vault: holds the domain's masking key, from which `hash` masking derives an HMAC key per product or declared scope
// (PipelineOptions.MaskingKey): no other domain can hash guesses to the same values. Entra ID (RBAC) authorization only, soft delete with purge protection (a lost key
// changes every hash a product publishes), and one data-plane role per reader, scoped to this vault.
//
// The masking key is a parameter, not generated here: Bicep has no safe random source, and a newGuid() default would
// replace the secret - and so every hash - at each deployment. azd fills it with
// $(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} masking-key) (main.parameters.json): random on the first
// provision, then read back from this vault, so re-provisioning writes the same value again.

@description('Key Vault name: 3-24 letters, digits and \'-\', globally unique.')
@minLength(3)
@maxLength(24)
param name string

param location string

param tags object = {}

@secure()
@minLength(12)
@description('The masking key written to secret keySecretName.')
param maskingKey string

@description('Name of the secret holding the masking key.')
param keySecretName string = 'masking-key'

@description('The app\'s identity: reads the masking key through a Key Vault reference (Key Vault Secrets User on this vault).')
param appPrincipalId string

@description('Optional: the deploying user or pipeline (azd AZURE_PRINCIPAL_ID): reads the masking key back at the next provision.')
param deployerPrincipalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param deployerPrincipalType string = 'User'

@description('Optional: object id of an Entra group (a second operator, a CI principal) that reads the masking key back to re-provision the domain: without it only deployerPrincipalId can, and azd\'s secretOrRandomPassword fails for anyone else.')
param operatorsGroupId string = ''

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 90

// Key Vault Secrets User: read secret values, nothing else (no writes, no keys or certificates).
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    // A Flex Consumption app without VNet integration resolves Key Vault references over the public endpoint, and
    // App Service is not a trusted service that could bypass a deny rule: the endpoint stays reachable, every call
    // still needs an Entra token and a role on this vault. With VNet integration, set defaultAction to 'Deny' and
    // add a private endpoint.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource maskingKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: keySecretName
  properties: {
    value: maskingKey
    contentType: 'text/plain; datamesh masking key'
  }
}

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

resource deployerReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(vault.id, deployerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

// Re-provisioning reads the masking key back (secretOrRandomPassword): the operators group may read secrets of this
// vault, as the first deployer does, and nothing else.
resource operatorsReadSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorsGroupId)) {
  name: guid(vault.id, operatorsGroupId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: operatorsGroupId
    principalType: 'Group'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

output name string = vault.name
// The Key Vault reference the app setting carries: resolved by App Service with the app's identity, never a value.
// Versionless, so the app reads the current version after a restart. A module's outputs exist only once all of its
// resources are deployed: an app configured from this output finds its role in place on first start.
output maskingVaultReference string = '@Microsoft.KeyVault(SecretUri=${maskingKeySecret.properties.secretUri})'
