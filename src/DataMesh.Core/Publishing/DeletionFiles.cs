using System.Globalization;
using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Publishing;

/// <summary>
/// Deletion files (merge-on-read, as Delta Lake's deletion vectors and Iceberg's position deletes): a merge that changes a
/// few rows of a large file writes only the new rows and, for that file, a small Parquet file of the positions it drops
/// (<see cref="ReleaseFile.Deletes"/>), instead of rewriting the file. Every reader applies them through this class: the
/// rows of a data file are those whose <c>file_row_number</c> is not listed, in the file's order.
/// </summary>
public static class DeletionFiles
{
    /// <summary>The one column of a deletion file: the 0-based positions of the dropped rows.</summary>
    public const string PositionColumn = "pos";

    /// <summary>
    /// Below this many rows in a file (after earlier deletions), a merge rewrites the file rather than giving it a deletion
    /// file: rewriting a small file costs little, and readers then have nothing to apply.
    /// </summary>
    public const int DefaultMinRows = 100_000;

    /// <summary>
    /// A merge rewrites a file whose deleted rows would reach this share of its stored rows: past it a reader reads more
    /// dropped rows than live ones, and the rewrite folds the deletions.
    /// </summary>
    public const double MaxDeletedShare = 0.5;

    /// <summary>The rows of <paramref name="dataFile"/> without those <paramref name="deletesFile"/> drops (none when null), in file order; Hive folders of the path are not columns.</summary>
    public static string Select(string dataFile, string? deletesFile) => deletesFile is null
        ? $"SELECT * FROM read_parquet({Sql.Literal(dataFile)}, hive_partitioning = false)"
        : $"""
          SELECT d.* EXCLUDE (file_row_number)
          FROM read_parquet({Sql.Literal(dataFile)}, file_row_number = true, hive_partitioning = false) d
          ANTI JOIN read_parquet({Sql.Literal(deletesFile)}) x ON d.file_row_number = x.{PositionColumn}
          ORDER BY d.file_row_number
          """;

    /// <summary>Writes the rows of <paramref name="dataFile"/> left by <paramref name="deletesFile"/> to <paramref name="target"/> (Parquet, zstd).</summary>
    public static void Apply(DuckDbSession db, string dataFile, string deletesFile, string target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Execute($"COPY ({Select(dataFile, deletesFile)}) TO {Sql.Literal(target)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
    }

    /// <summary>
    /// Writes <paramref name="target"/>, a local copy of the snapshot's rows of a data file: the downloaded
    /// <paramref name="dataFile"/> without the rows of the downloaded <paramref name="deletesFile"/>, in a DuckDB session
    /// that may read and write only under <paramref name="directory"/>.
    /// </summary>
    /// <remarks>The session's slot of the instance's sessions outside runs is awaited, no thread held (<see cref="DuckDbSession.OpenLockedAsync"/>).</remarks>
    public static async Task ApplyAsync(string directory, string dataFile, string deletesFile, string target, CancellationToken cancellationToken = default)
    {
        var scratch = Path.Combine(directory, ".deletes-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var db = await DuckDbSession.OpenLockedAsync(new DuckDbSessionOptions
            {
                AllowedDirectories = [directory],
                TempDirectory = scratch,
                Limits = EngineLimits.Process.Side,
                PreserveInsertionOrder = true,
                Cancellation = cancellationToken,
            }).ConfigureAwait(false);
            Apply(db, dataFile, deletesFile, target, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>Writes the positions <paramref name="positionsSelect"/> returns (one BIGINT column) as a deletion file, sorted, and returns how many.</summary>
    public static long Write(DuckDbSession db, string positionsSelect, string target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.Execute(
            $"COPY (SELECT DISTINCT CAST(p AS BIGINT) AS {PositionColumn} FROM ({positionsSelect}) s(p) ORDER BY 1) TO {Sql.Literal(target)} (FORMAT parquet, COMPRESSION zstd)",
            cancellationToken);
        return Convert.ToInt64(db.Scalar($"SELECT num_rows FROM parquet_file_metadata({Sql.Literal(target)})"), CultureInfo.InvariantCulture);
    }
}
