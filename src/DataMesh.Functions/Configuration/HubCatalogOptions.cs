namespace DataMesh.Functions.Configuration;

/// <summary>Where a domain app asks the mesh hub's catalog (<c>DataMesh__Hub__*</c>): its publish gate's readers in other domains.</summary>
internal sealed class HubCatalogOptions
{
    /// <summary>
    /// The hub's catalog API base (<c>DataMesh__Hub__CatalogEndpoint</c>, e.g. <c>https://func-hub.azurewebsites.net/api/</c>).
    /// Unset: the publish gate judges this domain's consumers only (a mesh without a hub, or one not yet wired).
    /// </summary>
    public Uri? CatalogEndpoint { get; set; }

    /// <summary>
    /// The token scope of the mesh API (<c>DataMesh__Hub__Scope</c>); by default <c>&lt;DataMesh__Authentication__Audience&gt;/.default</c>.
    /// No scope: requests go without a token (a local hub).
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>
    /// How long the publish gate waits for the hub's answer (<c>DataMesh__Hub__Timeout</c>, default 30 s); past it the gate
    /// refuses the change (fail-closed), naming the hub and this setting.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
