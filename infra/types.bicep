// The shapes of the two files every deployment reads: generated/subscriptions.json (from the specs, `datamesh infra`)
// and domains.json (the registry of deployed domains, kept by the hub operator from each domain's postprovision output).

@export()
@description('generated/subscriptions.json: what each domain reads and who reads it, from the specs.')
type MeshSubscriptions = {
  @description('Format version of the file.')
  version: 2
  domains: {
    *: {
      @description('Product ids (<domain>.<name>) that the domain\'s specs take as input.')
      upstreamProducts: string[]
      @description('Domains whose topics deliver to this domain\'s pipeline-triggers queue (their products it reads and is admitted to).')
      upstreamDomains: string[]
      @description('Per consumer domain admitted by the access rules: the products of this domain it reads.')
      consumers: {
        *: string[]
      }
    }
  }
}

@export()
@description('domains.json: where each deployed domain lives and the identities the others grant to.')
type MeshRegistry = {
  @description('Format version of the file.')
  version: 1
  domains: {
    *: RegisteredDomain
  }
  @description('The hub, once deployed: each domain lets its catalog read release manifests (only those) to check an announced release exists.')
  hub: {
    @description('Principal id of the hub app\'s identity (the hub\'s postprovision output).')
    appPrincipalId: string
    @description('The hub\'s catalog API base, https://<hub app>/api/ (the hub\'s output MESH_HUB_CATALOG_ENDPOINT): each domain app\'s publish gate asks it which consumers in other domains read a column a contract change removes, and refuses such a change when it cannot ask. Absent: the gate judges the domain\'s own consumers only.')
    catalogEndpoint: string?
  }?
}

@export()
@description('A deployed domain, as its postprovision hook prints it.')
type RegisteredDomain = {
  @description('Subscription of the domain\'s resource group (any subscription of the tenant).')
  subscriptionId: string
  resourceGroup: string
  @description('The domain\'s storage account (products container, pipeline-triggers queue).')
  storageAccount: string
  @description('The domain\'s Event Grid topic.')
  topic: string
  @description('The user-assigned identity the topic delivers with (name).')
  topicIdentity: string
  @description('Principal id of that identity: granted Storage Queue Data Message Sender by the queues it delivers to.')
  topicPrincipalId: string
  @description('Principal id of the domain app\'s identity: granted Storage Blob Data Reader by the upstreams that admit it.')
  appPrincipalId: string
}
