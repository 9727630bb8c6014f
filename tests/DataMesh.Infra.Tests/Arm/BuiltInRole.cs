namespace DataMesh.Infra.Tests.Arm;

/// <summary>Ids of the Azure built-in roles the templates may grant (the same in every tenant).</summary>
public static class BuiltInRole
{
    public const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    public const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    public const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    public const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    public const string StorageQueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
    public const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    public const string EventGridDataSender = "d5a91429-5739-47e2-a06b-3470a27159e7";
    public const string EventGridEventSubscriptionContributor = "428e0ff0-5e57-4d9c-a221-2c70d0e0a443";
    public const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    public const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";

    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        [StorageBlobDataOwner] = nameof(StorageBlobDataOwner),
        [StorageBlobDataReader] = nameof(StorageBlobDataReader),
        [StorageBlobDataContributor] = nameof(StorageBlobDataContributor),
        [StorageQueueDataContributor] = nameof(StorageQueueDataContributor),
        [StorageQueueDataMessageSender] = nameof(StorageQueueDataMessageSender),
        [StorageTableDataContributor] = nameof(StorageTableDataContributor),
        [EventGridDataSender] = nameof(EventGridDataSender),
        [EventGridEventSubscriptionContributor] = nameof(EventGridEventSubscriptionContributor),
        [MonitoringMetricsPublisher] = nameof(MonitoringMetricsPublisher),
        [KeyVaultSecretsUser] = nameof(KeyVaultSecretsUser),
    };

    public static string NameOf(string roleDefinitionId) => Names.GetValueOrDefault(roleDefinitionId, roleDefinitionId);
}
