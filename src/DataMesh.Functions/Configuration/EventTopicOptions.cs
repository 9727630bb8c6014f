namespace DataMesh.Functions.Configuration;

/// <summary>Where product events are announced (<c>DataMesh__Events__*</c>).</summary>
internal sealed class EventTopicOptions
{
    /// <summary>
    /// The mesh's Event Grid topic endpoint (CloudEvents schema, Entra auth). Required in Azure; when it is empty and
    /// storage is a connection string (local), events go straight to the <c>catalog-events</c> queue instead.
    /// </summary>
    public Uri? TopicEndpoint { get; set; }
}
