namespace DataMesh.Infra.Tests;

/// <summary>
/// The parameters the snapshots are taken with: a domain (finance) that reads two upstream products, and a hub.
/// Resource ids below are what Azure would assign for these names.
/// </summary>
internal static class TestDeployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000d47a";
    public const string TenantId = "00000000-0000-0000-0000-0000000007e1";
    public const string Location = "westeurope";
    public const string Domain = "finance";
    public const string DomainEnvironment = "finance-test";
    public const string HubEnvironment = "mesh-test";
    public const string HubResourceGroup = "rg-" + HubEnvironment;

    /// <summary>The hub operator (MESH_OPERATOR_PRINCIPAL_ID): may manage event subscriptions in the domain's group.</summary>
    public const string OperatorPrincipalId = "00000000-0000-0000-0000-0000000000a0";

    /// <summary>A registered domain in another subscription: finance's consumer and upstream.</summary>
    public static readonly Registered Treasury = new("treasury", "00000000-0000-0000-0000-0000000072ea", "rg-treasury", "sttreasury", "evgt-treasury", "id-topic-treasury", "00000000-0000-0000-0000-00000000071a", "00000000-0000-0000-0000-00000000071b");

    /// <summary>A registered consumer of finance in the same subscription.</summary>
    public static readonly Registered Sales = new("sales", SubscriptionId, "rg-sales", "stsales", "evgt-sales", "id-topic-sales", "00000000-0000-0000-0000-00000000051a", "00000000-0000-0000-0000-00000000051b");

    /// <summary>finance's other upstream, registered.</summary>
    public static readonly Registered SupplyChain = new("supply-chain", SubscriptionId, "rg-supply-chain", "stsupply", "evgt-supply", "id-topic-supply", "00000000-0000-0000-0000-00000000021a", "00000000-0000-0000-0000-00000000021b");

    /// <summary>Registered, but reads nothing of finance (or is not admitted): gets nothing from finance.</summary>
    public static readonly Registered Workforce = new("workforce", SubscriptionId, "rg-workforce", "stworkforce", "evgt-workforce", "id-topic-workforce", "00000000-0000-0000-0000-00000000091a", "00000000-0000-0000-0000-00000000091b");

    public static readonly Registered[] Registry = [Treasury, Sales, SupplyChain, Workforce];

    /// <summary>The hub app's identity as domains.json records it: each domain lets it read release manifests only.</summary>
    public const string HubAppPrincipalId = "00000000-0000-0000-0000-0000000000ab";

    /// <summary>What finance's specs read (generated/subscriptions.json as the test gives it).</summary>
    public static readonly string[] UpstreamProducts = ["finance.ledger-emea", "supply-chain.stock-levels", "treasury.fx-rates"];

    /// <summary>
    /// Who reads finance, admitted by its access rules: itself, treasury (other subscription), sales, and marketing,
    /// which is not registered yet. Workforce's spec reads finance.payroll-costs but is not admitted: it is not listed.
    /// </summary>
    public static readonly (string Consumer, string Product)[] Consumers =
    [
        ("finance", "finance.ledger-emea"),
        ("marketing", "finance.revenue-global"),
        ("sales", "finance.revenue-global"),
        ("treasury", "finance.ledger-emea"),
        ("treasury", "finance.revenue-global"),
    ];

    public const string DeployerPrincipalId = "00000000-0000-0000-0000-0000000000de";

    /// <summary>The domain's operators group (DATAMESH_OPERATORS_GROUP_ID): a second operator or CI may re-provision.</summary>
    public const string OperatorsGroupId = "00000000-0000-0000-0000-0000000000cc";

    /// <summary>Always-ready instances the domain snapshot gives its durable group (the hub keeps the default, none).</summary>
    public const int DurableAlwaysReady = 1;

    /// <summary>The mesh API app registration's appId (MESH_API_CLIENT_ID), as the hub's preprovision hook sets it.</summary>
    public const string MeshApiClientId = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";

    /// <summary>The masking key azd would pass (secretOrRandomPassword); it must reach the vault and nothing else.</summary>
    public const string MaskingKey = "Test0Salt1Never2In3Settings";

    public static string DomainResourceGroup => "rg-" + DomainEnvironment;

    public static string DomainResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{DomainResourceGroup}";

    public static string HubResourceGroupId => $"/subscriptions/{SubscriptionId}/resourceGroups/{HubResourceGroup}";

    private static string Quoted(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"'{v}'")) + "]";

    private static string ConsumersObject =>
        "{ " + string.Join(", ", Consumers.GroupBy(c => c.Consumer).Select(g => $"{Key(g.Key)}: {Quoted(g.Select(c => c.Product))}")) + " }";

    // Bicep's linter wants identifiers unquoted; 'supply-chain' is not one.
    private static string Key(string name) => name.Contains('-', StringComparison.Ordinal) ? $"'{name}'" : name;

    /// <summary>The hub's catalog API as domains.json records it (the hub's MESH_HUB_CATALOG_ENDPOINT).</summary>
    public const string HubCatalogEndpoint = "https://func-hubtest.azurewebsites.net/api/";

    private static string RegistryObject => RegistryText(withCatalog: true);

    /// <summary>A registry whose hub entry predates the catalog endpoint (appPrincipalId only).</summary>
    private static string RegistryWithoutHubCatalog => RegistryText(withCatalog: false);

    private static string RegistryText(bool withCatalog) => $$"""
        {
          version: 1
          domains: {
        {{string.Join("\n", Registry.Select(r => $"    {Key(r.Domain)}: {{ subscriptionId: '{r.SubscriptionId}', resourceGroup: '{r.ResourceGroup}', storageAccount: '{r.StorageAccount}', topic: '{r.Topic}', topicIdentity: '{r.TopicIdentity}', topicPrincipalId: '{r.TopicPrincipalId}', appPrincipalId: '{r.AppPrincipalId}' }}"))}}
          }
          hub: { appPrincipalId: '{{HubAppPrincipalId}}'{{(withCatalog ? $", catalogEndpoint: '{HubCatalogEndpoint}'" : "")}} }
        }
        """;

    public static string DomainParameters => $$"""
        using 'main.bicep'

        param environmentName = '{{DomainEnvironment}}'
        param location = '{{Location}}'
        param mode = 'domain'
        param domain = '{{Domain}}'
        param meshApiClientId = '{{MeshApiClientId}}'
        param meshOperatorPrincipalId = '{{OperatorPrincipalId}}'
        param principalId = '{{DeployerPrincipalId}}'
        param domainOperatorsGroupId = '{{OperatorsGroupId}}'
        param durableAlwaysReady = {{DurableAlwaysReady}}
        param maskingKey = '{{MaskingKey}}'
        param upstreamSubscriptions = {
          version: 2
          domains: {
            finance: {
              upstreamProducts: {{Quoted(UpstreamProducts)}}
              upstreamDomains: ['finance', 'supply-chain', 'treasury']
              consumers: {{ConsumersObject}}
            }
            treasury: { upstreamProducts: ['finance.ledger-emea'], upstreamDomains: ['finance'], consumers: { finance: ['treasury.fx-rates'] } }
          }
        }
        param registry = {{RegistryObject}}
        """;

    /// <summary>
    /// marketing, deployed with the repository's own generated/subscriptions.json (from pipelines/): its
    /// campaign-performance is restricted to sales; sales and workforce are both registered; its registry's hub entry
    /// predates the hub's catalog endpoint.
    /// </summary>
    /// <summary>The marketing domain runs on the larger Flex instance: its settings must follow the parameter, not a default.</summary>
    public const int MarketingInstanceMemoryMB = 4096;

    public static string MarketingParameters => $$"""
        using 'main.bicep'

        param environmentName = 'marketing-test'
        param location = '{{Location}}'
        param mode = 'domain'
        param domain = 'marketing'
        param meshApiClientId = '{{MeshApiClientId}}'
        param maskingKey = '{{MaskingKey}}'
        param instanceMemoryMB = {{MarketingInstanceMemoryMB}}
        param registry = {{RegistryWithoutHubCatalog}}
        """;

    public static string HubParameters => $$"""
        using 'main.bicep'

        param environmentName = '{{HubEnvironment}}'
        param location = '{{Location}}'
        param mode = 'hub'
        param meshApiClientId = '{{MeshApiClientId}}'
        param registry = {{RegistryObject}}
        """;

    /// <summary>A hub whose MESH_API_CLIENT_ID was never set: azd passes an empty string.</summary>
    /// <summary>A domain of the registry, as its postprovision hook prints it.</summary>
    public sealed record Registered(string Domain, string SubscriptionId, string ResourceGroup, string StorageAccount, string Topic, string TopicIdentity, string TopicPrincipalId, string AppPrincipalId)
    {
        public string StorageAccountId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Storage/storageAccounts/{StorageAccount}";

        public string TopicId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.EventGrid/topics/{Topic}";

        public string TopicIdentityId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{TopicIdentity}";
    }

    public static string HubWithoutClientIdParameters => HubParameters.Replace($"'{MeshApiClientId}'", "''", StringComparison.Ordinal);
}
