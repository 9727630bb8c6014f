namespace DataMesh.Functions.Configuration;

/// <summary>
/// The app's mode (<c>DataMesh__Mode</c>), for the functions both apps run and that serve differently in each: the
/// release data routes read the domain's own storage in a domain app and redirect to the domain apps in the hub.
/// </summary>
/// <param name="IsHub">True for the mesh hub's catalog app.</param>
/// <param name="Domain">
/// A domain app's domain: its data routes serve that domain's products only. It holds read grants on its upstreams'
/// containers for its pipeline; serving their data would make it a second door to them (null: no restriction, tests).
/// </param>
public sealed record DataMeshAppMode(bool IsHub, string? Domain = null);
