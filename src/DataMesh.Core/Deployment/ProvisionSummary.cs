using System.Text.Json;

namespace DataMesh.Deployment;

/// <summary>
/// What the postprovision hook prints once azd has provisioned: what the environment now holds and what to do next
/// (the hub: the settings its domains need; a domain: its entry for <c>infra/domains.json</c>). Built from the azd
/// environment's values (azd passes them, outputs included, as environment variables); '?' stands for a value not set.
/// </summary>
public static class ProvisionSummary
{
    /// <summary>The hub's summary.</summary>
    public static string Hub(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string V(string name, string fallback = "?") => variable(name) is { Length: > 0 } value ? value : fallback;
        return $"""
            Mesh hub provisioned in {V("AZURE_RESOURCE_GROUP")} (catalog subscriptions for the domains in infra/domains.json).
            Add the hub to infra/domains.json (beside "domains") so that each domain lets the catalog read its release manifests
            (only those), the catalog records a release only once its manifest exists, and each domain app's publish gate asks
            the catalog which consumers in other domains read a column it removes; then the domains provision again:
              "hub": {"{"} "appPrincipalId": "{V("DATAMESH_APP_PRINCIPAL_ID")}", "catalogEndpoint": "{V("MESH_HUB_CATALOG_ENDPOINT")}" {"}"}
            For each domain environment (azd env new <domain>), set:
              azd env set MESH_API_CLIENT_ID {V("MESH_API_CLIENT_ID")}
              azd env set MESH_OPERATOR_PRINCIPAL_ID {V("MESH_OPERATOR_PRINCIPAL_ID")}
              azd env set MESH_OPERATOR_PRINCIPAL_TYPE {V("MESH_OPERATOR_PRINCIPAL_TYPE", "User")}
            Callers read domain and restricted products with a token for api://{V("MESH_API_CLIENT_ID")} that carries the app role
            DataMesh.Domain.<domain> or DataMesh.Operator (assign them to people, groups or identities in Entra ID).

            """.ReplaceLineEndings("\n");
    }

    /// <summary>A domain's summary: its storage, where files land, and its registry entry.</summary>
    public static string Domain(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string V(string name) => variable(name) is { Length: > 0 } value ? value : "?";
        var domain = V("DATAMESH_DOMAIN");
        // The registry entry is one JSON member on one line, as infra/types.bicep's RegisteredDomain declares it.
        var fields = new (string Name, string Variable)[]
        {
            ("subscriptionId", "AZURE_SUBSCRIPTION_ID"), ("resourceGroup", "AZURE_RESOURCE_GROUP"), ("storageAccount", "AZURE_STORAGE_ACCOUNT_NAME"),
            ("topic", "DATAMESH_TOPIC_NAME"), ("topicIdentity", "DATAMESH_TOPIC_IDENTITY_NAME"), ("topicPrincipalId", "DATAMESH_TOPIC_PRINCIPAL_ID"),
            ("appPrincipalId", "DATAMESH_APP_PRINCIPAL_ID"),
        };
        var entry = "{ " + string.Join(", ", fields.Select(f => $"\"{f.Name}\": {JsonSerializer.Serialize(V(f.Variable))}")) + " }";
        var text = $"""
            Domain {domain} provisioned in {V("AZURE_RESOURCE_GROUP")}: app {V("AZURE_FUNCTION_APP_NAME")}, storage {V("AZURE_STORAGE_ACCOUNT_NAME")}, topic {V("DATAMESH_TOPIC_NAME")}.
            Files written to {V("DATAMESH_LANDING_URL")}/<landing.path> start that product's pipeline, e.g. with the Azure CLI (optional; any blob client signed in with a data role works):
              az storage blob upload --auth-mode login --account-name {V("AZURE_STORAGE_ACCOUNT_NAME")} \
                --container-name landing --name ledger/emea/gl_entries.csv --file gl_entries.csv
            To join the mesh, add this entry under "domains" in infra/domains.json (a pull request to the mesh repository), then the
            hub operator runs azd provision -e <hub>, and the domains that read or are read by {domain} provision again:
              {JsonSerializer.Serialize(domain)}: {entry}

            """.ReplaceLineEndings("\n");
        if (variable("MESH_HUB_CATALOG_ENDPOINT") is not { Length: > 0 })
        {
            // Not an error: a mesh's first domain may come before its hub entry. But until then its publish gate sees
            // only this domain's consumers, so a removed column another domain reads would publish.
            text += "Not wired to the hub's catalog (infra/domains.json has no \"hub\" entry with \"catalogEndpoint\"): the publish gate judges this domain's "
                + "consumers only until it has one; add it (the hub's postprovision prints it) and provision again.\n";
        }

        if (variable("DATAMESH_PENDING_DOMAINS") is { Length: > 0 } pending)
        {
            text += $"Not wired yet (not in infra/domains.json): {pending}. Provision again once they are registered.\n";
        }

        return text;
    }
}
