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
    public const string MeshResourceGroup = "rg-mesh-test";
    public const string MeshTopicName = "evgt-meshtest";
    public const string MeshDeliveryIdentityName = "id-mesh-meshtest";
    public const string DeployerPrincipalId = "00000000-0000-0000-0000-0000000000de";

    /// <summary>The mesh API app registration's appId (MESH_API_CLIENT_ID), as the hub's preprovision hook sets it.</summary>
    public const string MeshApiClientId = "6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5";

    /// <summary>The masking key azd would pass (secretOrRandomPassword); it must reach the vault and nothing else.</summary>
    public const string MaskingKey = "Test0Salt1Never2In3Settings";

    /// <summary>What finance reads from other domains; another domain's upstreams must not leak into finance.</summary>
    public static readonly string[] UpstreamProducts = ["treasury.fx-rates", "supply-chain.stock-levels"];

    public static string MeshTopicId =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{MeshResourceGroup}/providers/Microsoft.EventGrid/topics/{MeshTopicName}";

    public static string MeshDeliveryIdentityId =>
        $"/subscriptions/{SubscriptionId}/resourceGroups/{MeshResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{MeshDeliveryIdentityName}";

    public static string DomainParameters => $$"""
        using 'main.bicep'

        param environmentName = '{{DomainEnvironment}}'
        param location = '{{Location}}'
        param mode = 'domain'
        param domain = '{{Domain}}'
        param meshResourceGroupName = '{{MeshResourceGroup}}'
        param meshTopicName = '{{MeshTopicName}}'
        param meshDeliveryIdentityName = '{{MeshDeliveryIdentityName}}'
        param meshApiClientId = '{{MeshApiClientId}}'
        param principalId = '{{DeployerPrincipalId}}'
        param maskingKey = '{{MaskingKey}}'
        param upstreamSubscriptions = {
          version: 1
          domains: {
            finance: { upstreamProducts: [{{string.Join(", ", UpstreamProducts.Select(p => $"'{p}'"))}}] }
            treasury: { upstreamProducts: ['finance.ledger-emea'] }
          }
        }
        """;

    public static string HubParameters => $"""
        using 'main.bicep'

        param environmentName = '{HubEnvironment}'
        param location = '{Location}'
        param mode = 'hub'
        param meshApiClientId = '{MeshApiClientId}'
        """;

    /// <summary>A hub whose MESH_API_CLIENT_ID was never set: azd passes an empty string.</summary>
    public static string HubWithoutClientIdParameters => HubParameters.Replace($"'{MeshApiClientId}'", "''", StringComparison.Ordinal);
}
