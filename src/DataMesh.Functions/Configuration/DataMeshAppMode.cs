namespace DataMesh.Functions.Configuration;

/// <summary>
/// The app's mode (<c>DataMesh__Mode</c>), for the functions both apps run and that serve differently in each: the
/// release data routes read the domain's own storage in a domain app and redirect to the domain apps in the hub.
/// </summary>
/// <param name="IsHub">True for the mesh hub's catalog app.</param>
public sealed record DataMeshAppMode(bool IsHub);
