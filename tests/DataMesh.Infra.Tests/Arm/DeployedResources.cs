namespace DataMesh.Infra.Tests.Arm;

/// <summary>The ids of the resources a domain or hub snapshot deploys, found by type and name prefix.</summary>
public sealed record DeployedResources(
    string ResourceGroupId,
    string StorageAccountId,
    string StorageAccountName,
    string SiteId,
    string AppIdentityId,
    string ApplicationInsightsId,
    IReadOnlyList<string> IdentityIds)
{
    public static DeployedResources Of(DeploymentSnapshot snapshot)
    {
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts");
        var identities = snapshot.OfType("Microsoft.ManagedIdentity/userAssignedIdentities").Select(i => i.Text("id")!).ToList();
        return new DeployedResources(
            snapshot.Single("Microsoft.Resources/resourceGroups").Text("id")!,
            storage.Text("id")!,
            storage.Text("name")!,
            snapshot.Single("Microsoft.Web/sites").Text("id")!,
            identities.Single(id => Name(id).StartsWith("id-app-", StringComparison.Ordinal)),
            snapshot.Single("Microsoft.Insights/components").Text("id")!,
            identities);
    }

    /// <summary>The identity whose name starts with a prefix (e.g. <c>id-events-</c>).</summary>
    public string Identity(string namePrefix) => IdentityIds.Single(id => Name(id).StartsWith(namePrefix, StringComparison.Ordinal));

    public string Queue(string name) => $"{StorageAccountId}/queueServices/default/queues/{name}";

    public string Container(string name) => $"{StorageAccountId}/blobServices/default/containers/{name}";

    /// <summary>
    /// True when a snapshot value is the runtime expression reading <paramref name="property"/> of that resource,
    /// e.g. <c>[reference('&lt;storage id&gt;', '2025-06-01').primaryEndpoints.blob]</c>.
    /// </summary>
    public static bool IsReference(string? value, string resourceId, string property) =>
        value is not null
        && value.StartsWith($"[reference('{resourceId}', '", StringComparison.Ordinal)
        && value.EndsWith($").{property}]", StringComparison.Ordinal);

    private static string Name(string id) => id[(id.LastIndexOf('/') + 1)..];
}
