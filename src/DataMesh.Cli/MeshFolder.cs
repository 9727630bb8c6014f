using DataMesh.Local;
using DataMesh.Local.Azurite;

namespace DataMesh.Cli;

/// <summary>
/// Whether there is a local mesh to read here, for commands that only read one (<c>catalog</c>, <c>query</c>): they
/// must say so when there is none, not create an empty mesh (a <c>.datamesh/</c> folder and an Azurite) and report it.
/// </summary>
internal static class MeshFolder
{
    /// <summary>Null when there is a mesh (its state folder exists, or <c>DATAMESH_STORAGE</c> names storage); else what to tell the user.</summary>
    public static string? Missing(LocalMeshOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ConnectionString is not null || AzuriteServer.ConnectionStringFromEnvironment() is not null)
        {
            return null;
        }

        var state = options.ResolveStateDirectory();
        return Directory.Exists(state)
            ? null
            : $"error: there is no local mesh in {Path.GetDirectoryName(Path.GetFullPath(state))}: {state} does not exist. Run this in the mesh's folder "
              + "(where `datamesh up`, `demo`, `run` or `drop` ran), point DATAMESH_HOME at its .datamesh folder, or start a mesh here with `datamesh demo` or `datamesh up`.";
    }
}
