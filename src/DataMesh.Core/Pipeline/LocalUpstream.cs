using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Storage;

namespace DataMesh.Pipeline;

/// <summary>
/// An upstream input on the run's machine: the Parquet files it reads (its release's snapshot, or the changes
/// <c>read: changes</c> asked for), downloaded from wherever the releases that wrote them keep them, and the view the
/// transform's SQL sees it as.
/// </summary>
/// <param name="Files">Local paths of the files the view reads, in the plan's order.</param>
/// <param name="SchemaFile">A local file giving the view its columns when <paramref name="Files"/> is empty (no changes).</param>
/// <param name="Read">What was read, for the run's input report.</param>
public sealed record LocalUpstream(IReadOnlyList<string> Files, string? SchemaFile, string? Read)
{
    /// <summary>
    /// Downloads the input's files under <paramref name="localRoot"/> (each at its snapshot path; files a retry finds
    /// there are kept).
    /// </summary>
    public static async Task<LocalUpstream> DownloadAsync(MeshStorage storage, PlannedUpstream planned, string localRoot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(planned);
        var container = storage.Products(planned.Domain);

        // A plan recorded before snapshots names files relative to the release's folder.
        var sources = planned.Sources.Count > 0 || planned.SchemaSource is not null
            ? planned.Sources
            : planned.Files.Select(f => new SnapshotFile(planned.Folder + f, f, 0)).ToList();
        var files = await ReleaseSnapshot.DownloadAsync(container, sources, localRoot, cancellationToken).ConfigureAwait(false);
        string? schemaFile = null;
        if (files.Count == 0 && planned.SchemaSource is { } schema)
        {
            schemaFile = (await ReleaseSnapshot.DownloadAsync(container, [schema], localRoot, cancellationToken).ConfigureAwait(false)).Single();
        }

        return new LocalUpstream(files, schemaFile, planned.Read);
    }

    /// <summary>
    /// The statement that creates the input's view: over its files, or with no rows and the release's columns when it
    /// has none to read (an input reading changes when nothing changed).
    /// </summary>
    public string CreateViewSql(string viewName) =>
        Files.Count == 0 && SchemaFile is not null
            ? $"CREATE VIEW {Sql.Identifier(viewName)} AS SELECT * FROM read_parquet({Sql.Literal(SchemaFile)}) LIMIT 0"
            : $"CREATE VIEW {Sql.Identifier(viewName)} AS SELECT * FROM read_parquet({Sql.List(Files)})";

    /// <summary>The input's line of the run's input report.</summary>
    public InputReport Report(string inputName) => new(inputName, Files.Count, AutoDetected: false, []) { Read = Read };
}
