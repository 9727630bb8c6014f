using System.Text.Json;
using DataMesh.Engine;
using DataMesh.Governance;
using DataMesh.Specs;
using DuckDB.NET.Data;

namespace DataMesh.Lineage;

/// <summary>
/// Derives column-level lineage from DuckDB's own parse tree (<c>json_serialize_sql</c>) of a transform, resolving
/// names against the inputs' schemas (the same typed, empty relations <see cref="TransformBindCheck"/> binds over):
/// aliases, table aliases, CTEs, <c>*</c> / <c>t.*</c> (with EXCLUDE/REPLACE), USING/NATURAL joins, set operations,
/// CASE, aggregates, window functions, correlated and uncorrelated subqueries. Output column names are DuckDB's (the
/// bound SELECT is described), so an unaliased expression is named as a run would name it. Nothing is read: the
/// relations are empty. A construct it does not know (a table function, PIVOT, a recursive CTE, a lambda...) widens the
/// lineage to every column of the inputs in scope and says so in <see cref="ColumnLineage.Notes"/> — wider, never wrong.
/// </summary>
public static class ColumnLineageAnalyzer
{
    /// <summary>The lineage of each of <paramref name="products"/> whose transform parses, by product id, in one DuckDB session.</summary>
    /// <param name="products">The products to analyse.</param>
    /// <param name="meshProducts">Every product of the mesh, for upstream inputs' contracts.</param>
    public static IReadOnlyDictionary<string, ColumnLineage> Analyze(IReadOnlyCollection<ProductSpec> products, IReadOnlyCollection<ProductSpec> meshProducts)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(meshProducts);
        var byId = meshProducts.Concat(products).GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var result = new Dictionary<string, ColumnLineage>(StringComparer.Ordinal);
        InSession(session =>
        {
            var aggregates = Aggregates(session);
            foreach (var product in products)
            {
                var known = TransformBindCheck.InputSchemas(product, byId, out _);
                var inputs = product.Inputs
                    .Select(port => new LineageInput(port.Name, port.Product, known.FirstOrDefault(k => k.Port.Name == port.Name).Columns))
                    .ToList();
                try
                {
                    result[product.Id] = Analyze(session, product.TransformSql, inputs, aggregates) with { Transform = RepositoryPath(product) };
                }
                catch (Exception ex) when (IsAnalysisFailure(ex))
                {
                    // A transform that does not parse (validate reports it, DM1060), or a parse tree of a shape this
                    // DuckDB version writes differently: no lineage for it, never a failed registration.
                }
            }
        });
        return result;
    }

    /// <summary>The lineage of one product's transform (see <see cref="Analyze(IReadOnlyCollection{ProductSpec}, IReadOnlyCollection{ProductSpec})"/>).</summary>
    /// <exception cref="InvalidOperationException">The transform is not exactly one SELECT that DuckDB parses.</exception>
    public static ColumnLineage Analyze(ProductSpec product, IReadOnlyCollection<ProductSpec> meshProducts)
    {
        ArgumentNullException.ThrowIfNull(product);
        return Analyze([product], meshProducts).TryGetValue(product.Id, out var lineage)
            ? lineage
            : throw new InvalidOperationException($"{product.Id}: transform {product.TransformSqlPath} is not one SELECT DuckDB parses; run datamesh validate.");
    }

    /// <summary>The lineage of one product's transform over <paramref name="meshProducts"/>, or null when it cannot be derived.</summary>
    internal static ColumnLineage? TryAnalyze(ProductSpec product, IReadOnlyCollection<ProductSpec> meshProducts)
    {
        try
        {
            return Analyze([product], meshProducts).GetValueOrDefault(product.Id);
        }
        catch (Exception ex) when (IsAnalysisFailure(ex) || ex is IOException)
        {
            return null;
        }
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProductSpec, Holder> Cache = new();

    /// <summary>
    /// The lineage of a product a run builds, computed once per loaded spec (a host's specs do not change under it),
    /// or null when it cannot be derived: lineage never fails a run.
    /// </summary>
    public static ColumnLineage? ForRun(ProductSpec product, IReadOnlyCollection<ProductSpec> meshProducts)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(meshProducts);
        return Cache.GetValue(product, p =>
        {
            try
            {
                return new Holder(Analyze([p], meshProducts).GetValueOrDefault(p.Id));
            }
            catch (Exception ex) when (IsAnalysisFailure(ex) || ex is IOException)
            {
                return new Holder(null);
            }
        }).Lineage;
    }

    /// <summary>The lineage of <paramref name="sql"/> over inputs named and typed as given (a null column list: not known).</summary>
    public static ColumnLineage Analyze(string sql, IReadOnlyList<(string Name, IReadOnlyList<(string Name, string Type)>? Columns)> inputs)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(inputs);
        ColumnLineage? lineage = null;
        InSession(session => lineage = Analyze(session, sql, [.. inputs.Select(i => new LineageInput(i.Name, null, i.Columns))], Aggregates(session)));
        return lineage!;
    }

    private static void InSession(Action<DuckDbSession> work)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "datamesh-lineage-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            using var session = TransformBindCheck.OpenSession(scratch);
            work(session);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static bool IsAnalysisFailure(Exception ex) =>
        ex is DuckDBException or InvalidOperationException or JsonException or KeyNotFoundException or IndexOutOfRangeException or ArgumentException or FormatException;

    private static HashSet<string> Aggregates(DuckDbSession session) =>
        new(session.Query("SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'", r => r.GetString(0)), StringComparer.OrdinalIgnoreCase);

    private static ColumnLineage Analyze(DuckDbSession session, string sql, IReadOnlyList<LineageInput> inputs, HashSet<string> aggregates)
    {
        var select = session.RequireSingleSelect(sql, "transform");
        var json = (string?)session.Scalar($"SELECT json_serialize_sql({Sql.Literal(select)})") ?? "";
        using var document = JsonDocument.Parse(json);
        var node = document.RootElement.GetProperty("statements")[0].GetProperty("node");
        var names = OutputNames(session, select, inputs);
        return new LineageWalk(inputs, aggregates).Run(node, names, select, sql.Length - sql.TrimStart().Length, sql);
    }

    /// <summary>
    /// The transform file as <c>pipelines/&lt;domain folder&gt;/&lt;product folder&gt;/&lt;transform&gt;</c>: where a
    /// reader's SQL reads a column, named the same on every machine (never an absolute path of the host that registered it).
    /// </summary>
    internal static string RepositoryPath(ProductSpec product)
    {
        var folder = product.Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var domain = Path.GetFileName(Path.GetDirectoryName(folder)) ?? product.Domain;
        return $"pipelines/{domain}/{Path.GetFileName(folder)}/{product.TransformSqlPath.Replace('\\', '/')}";
    }

    /// <summary>The output column names DuckDB gives the SELECT over empty typed tables; null when an input's columns are unknown or it does not bind.</summary>
    private static List<string>? OutputNames(DuckDbSession session, string select, IReadOnlyList<LineageInput> inputs)
    {
        if (inputs.Any(i => i.Columns is null))
        {
            return null;
        }

        var created = new List<string>();
        try
        {
            foreach (var input in inputs)
            {
                session.Execute($"CREATE TABLE {Sql.Identifier(input.Name)} ({string.Join(", ", input.Columns!.Select(c => $"{Sql.Identifier(c.Name)} {c.Type}"))})");
                created.Add(Sql.Identifier(input.Name));
            }

            return session.Query($"SELECT column_name FROM (DESCRIBE (\n{select}\n))", r => r.GetString(0));
        }
        catch (DuckDBException)
        {
            return null; // validate says why (DM1060); the lineage keeps the names the SQL spells
        }
        finally
        {
            foreach (var table in created)
            {
                session.Execute($"DROP TABLE IF EXISTS {table}");
            }
        }
    }

    private sealed record Holder(ColumnLineage? Lineage);
}
