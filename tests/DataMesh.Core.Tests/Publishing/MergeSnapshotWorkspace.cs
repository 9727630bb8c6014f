using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using DuckDB.NET.Data;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// The set-up the merge snapshot tests share (<see cref="SnapshotBuilderTests"/>, <see cref="DeletionFileTests"/>): a
/// storage namespace of their own on the run's Azurite, on the per-domain topology (the <c>hr</c> domain in its own
/// account), a work folder, snapshot builders of <c>hr</c> merge products keyed on <c>id</c>, and run outputs.
/// </summary>
internal sealed class MergeSnapshotWorkspace(AzuriteFixture azurite, string prefix, MeshStorage? storage = null) : IDisposable
{
    public const string Domain = "hr";

    /// <summary>The storage given (e.g. clients that count their requests), else a fresh namespace on the per-domain topology.</summary>
    public MeshStorage Storage { get; } = storage ?? azurite.CreateMeshStorage();

    public DirectoryInfo Work { get; } = Directory.CreateTempSubdirectory(prefix);

    /// <summary>Where a builder lays out its snapshot; emptied by each <see cref="Builder"/>.</summary>
    public string SnapshotDirectory => Path.Combine(Work.FullName, "snapshot");

    private string OutputDirectory => Path.Combine(Work.FullName, "output");

    /// <summary>Hand-written releases of <c>hr.</c><paramref name="name"/> (version 1.0.0) in this storage.</summary>
    public SnapshotChain Chain(string name) => new(Storage, Domain, name);

    /// <summary>
    /// A snapshot builder of the chain's product (output mode merge, key <c>id</c>) over an empty snapshot folder; with
    /// <c>retry</c>, over what an earlier builder left there, as a retried publish of the same run finds it.
    /// </summary>
    public SnapshotBuilder Builder(SnapshotChain chain, int mergeFileRows = SnapshotBuilder.DefaultMergeFileRows, int deletionMinRows = DeletionFiles.DefaultMinRows, bool retry = false)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (!retry && Directory.Exists(SnapshotDirectory))
        {
            Directory.Delete(SnapshotDirectory, recursive: true);
        }

        Directory.CreateDirectory(SnapshotDirectory);
        var spec = new ProductSpec
        {
            Domain = Domain,
            Name = chain.Name,
            Version = chain.Version,
            Inputs = [],
            TransformSqlPath = "transform.sql",
            Output = new OutputSpec { Contract = "contract.odcs.yaml", Mode = OutputMode.Merge, Key = ["id"] },
            Directory = Work.FullName,
            SpecPath = Path.Combine(Work.FullName, "product.yaml"),
            Contract = new DataContract { ApiVersion = "v3.1.0", Id = "urn:test:staff", Version = "1.0.0", Path = "contract.odcs.yaml", Schema = [] },
            TransformSql = "",
        };
        // A run's publish sessions, which take no slot of the side-session gate (a merge opens one inside another); the
        // side figures keep the tests running beside each other small.
        var session = new DuckDbSessionOptions { AllowedDirectories = [SnapshotDirectory, OutputDirectory], TempDirectory = Path.Combine(Work.FullName, "tmp"), Limits = DataMesh.Pipeline.EngineLimits.Process.Side with { Gate = null } };
        return new SnapshotBuilder(spec, chain.Store, SnapshotDirectory, session, rowGroupSize: 122_880, mergeFileRows, deletionMinRows);
    }

    /// <summary>A run's output file: rows of <paramref name="ids"/> labelled <c><paramref name="label"/> N</c>.</summary>
    public string Output(IReadOnlyList<int> ids, string label = "new")
    {
        ArgumentNullException.ThrowIfNull(ids);
        Directory.CreateDirectory(OutputDirectory);
        var path = Path.Combine(OutputDirectory, Guid.NewGuid().ToString("N") + ".parquet");
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"COPY (SELECT id::BIGINT AS id, {Sql.Literal(label + " ")} || id AS label FROM (VALUES {string.Join(", ", ids.Select(i => $"({i})"))}) v(id)) TO {Sql.Literal(path)} (FORMAT parquet)";
        command.ExecuteNonQuery();
        return path;
    }

    /// <summary>The first column of <paramref name="sql"/>'s rows, sorted.</summary>
    public static List<string> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return Sorted(rows);
    }

    public static List<string> Sorted(IEnumerable<string> rows) => [.. rows.Order(StringComparer.Ordinal)];

    /// <summary>Sorted rows (<c>id|label</c>) of a merge: the base ids kept (<c>row N</c>) and the output's ids (<c>new N</c>).</summary>
    public static List<string> Expected(IEnumerable<int> kept, IEnumerable<int> written) =>
        Sorted(kept.Select(i => $"{i}|row {i}").Concat(written.Select(i => $"{i}|new {i}")));

    public void Dispose() => Work.Delete(recursive: true);
}
