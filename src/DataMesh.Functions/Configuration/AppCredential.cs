using Azure.Core;
using Azure.Identity;

namespace DataMesh.Functions.Configuration;

/// <summary>The credential the app reaches Azure with: its user-assigned managed identity in Azure, a developer's sign-in locally.</summary>
internal static class AppCredential
{
    /// <summary>
    /// <see cref="ManagedIdentityCredential"/> for the identity whose client id the app is given (AZURE_CLIENT_ID, set by
    /// the Bicep): the one credential that applies in Azure, with no chain to probe (environment, workload identity, CLI
    /// and tool sign-ins each cost a failed attempt at start-up and could pick another principal). Without a client id the
    /// app runs on a developer's machine: <see cref="DefaultAzureCredential"/>, meant for the developer's own sign-in.
    /// </summary>
    public static TokenCredential For(string? managedIdentityClientId) =>
        string.IsNullOrWhiteSpace(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId));
}
