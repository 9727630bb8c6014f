// A Flex Consumption function app that runs as a user-assigned identity: identity-based AzureWebJobsStorage,
// deployment package pulled from a blob container with that identity, Entra-authenticated telemetry, HTTPS only,
// TLS 1.2, no FTP and no basic-auth publishing; App Service authentication validates Entra bearer tokens issued for
// the mesh API app registration and passes the caller's app roles to the app (X-MS-CLIENT-PRINCIPAL).

param name string

param planName string

param location string

@description('Tags of the plan and the app.')
param tags object

@description('The azure.yaml service deployed to this app: its azd-service-name tag, on the site only (azd deploys to the one resource that carries it; a tagged plan would be a second match).')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).')
param identityClientId string

@description('The storage account of AzureWebJobsStorage and of the deployment package container.')
param storageAccountName string

param deploymentContainerName string

param applicationInsightsName string

@description('App settings beyond the host\'s own (DataMesh__*, AzureWebJobs.<function>.Disabled): plain values or Key Vault references, never keys.')
param appSettings object

@description('Client id (appId) of the mesh API app registration: tokens must be issued for api://<this id>. Validation only: no client secret.')
@minLength(36)
@maxLength(36)
param meshApiClientId string

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Always-ready instances per scale group or function (e.g. [{ name: \'durable\', instanceCount: 1 }]); empty scales every group to zero.')
param alwaysReady { name: string, instanceCount: int }[] = []

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The app validates bearer tokens itself too (BearerTokenValidator), not only App Service authentication's header.
// The hub's web catalog signs people in with the same settings (authorization code + PKCE in the page, as a SPA of the
// mesh API registration: docs/design-notes/catalog-sign-in.md), at the login endpoint of the cloud deployed to.
var tokenSettings = empty(meshApiClientId) ? {} : {
  DataMesh__Authentication__Instance: environment().authentication.loginEndpoint
  DataMesh__Authentication__TenantId: tenant().tenantId
  DataMesh__Authentication__Audience: 'api://${meshApiClientId}'
  DataMesh__Authentication__ClientId: meshApiClientId
}

var dataMeshSettings = [
  for setting in items(union(tokenSettings, appSettings)): {
    name: setting.key
    value: setting.value
  }
]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve with this identity (the default is a system-assigned one, which
    // the app does not have).
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: concat(
        dataMeshSettings,
        [
          { name: 'AZURE_CLIENT_ID', value: identityClientId }
          { name: 'AzureWebJobsStorage__accountName', value: storage.name }
          { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
          { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
          { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsights.properties.ConnectionString }
          // Local auth is off on the component: telemetry is sent with the identity.
          { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        ]
      )
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReady
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// App Service authentication (Easy Auth), bearer tokens only. A caller without a token is let through as anonymous
// (the app answers 401 itself: the catalog's pages load, sign in in the page and send a token; never a redirect to a
// login page, which API clients could not follow); a token that is present must be valid for the mesh API, or the platform answers 401
// before the app sees the request. The platform sets WEBSITE_AUTH_ENABLED=true and passes the validated caller, app
// roles included, in X-MS-CLIENT-PRINCIPAL, stripping any copy the client sent: the app trusts that header only then.
// No client secret and no token store: the app never signs anyone in, it only validates tokens.
resource authentication 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: meshApiClientId
          // v2.0 tokens: the preprovision hook sets the app registration's requestedAccessTokenVersion to 2.
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        // v2.0 tokens carry the client id as aud, which App Service always accepts; a v1 token asked for with
        // --resource api://<id> carries that URI.
        validation: {
          allowedAudiences: [
            'api://${meshApiClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
