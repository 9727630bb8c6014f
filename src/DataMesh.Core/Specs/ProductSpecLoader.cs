using DataMesh.Contracts;

namespace DataMesh.Specs;

/// <summary>
/// Loads data product specs (<c>product.yaml</c>, DESIGN §4) with the contract and transform SQL they name,
/// reporting every problem with file, line, column and a stable code (DM10xx; the contract's own are DM11xx).
/// </summary>
public static class ProductSpecLoader
{
    /// <summary>The spec file every product folder holds.</summary>
    public const string SpecFileName = "product.yaml";

    private static readonly string[] SkippedFolders = ["node_modules", "bin", "obj"];

    /// <summary>Loads the product in <paramref name="productDirectory"/>.</summary>
    /// <exception cref="SpecValidationException">The spec, its contract or its SQL has errors; every one found is listed.</exception>
    public static ProductSpec Load(string productDirectory)
    {
        var result = Read(productDirectory);
        return result.Spec ?? throw new SpecValidationException(result.Diagnostics);
    }

    /// <summary>Every diagnostic of the product in <paramref name="productDirectory"/> (warnings included), without throwing.</summary>
    public static IReadOnlyList<SpecDiagnostic> Validate(string productDirectory) => Read(productDirectory).Diagnostics;

    /// <summary>Reads the product: the spec when it has no errors, and every diagnostic.</summary>
    public static ProductSpecLoadResult Read(string productDirectory)
    {
        var directory = Path.GetFullPath(productDirectory);
        var specPath = Path.Combine(directory, SpecFileName);
        var sink = new DiagnosticSink(DisplayPath.For(specPath), ProductSpecReader.Codes);
        var text = ReadSpecText(directory, specPath, sink);
        var root = text is null ? null : YamlDocumentParser.ParseRootMapping(text, sink, "product spec");
        if (root is null)
        {
            return new ProductSpecLoadResult(null, sink.Diagnostics);
        }

        var reader = new ProductSpecReader(sink);
        reader.Read(root);
        CheckDomainFolder(directory, reader, sink);
        var contract = ReadContract(directory, reader, sink);
        var sql = ReadTransformSql(directory, reader, sink);

        var diagnostics = sink.Diagnostics
            .OrderBy(d => d.Line).ThenBy(d => d.Column)
            .Concat((contract?.Diagnostics ?? []).OrderBy(d => d.Line).ThenBy(d => d.Column))
            .ToList();
        if (diagnostics.Exists(d => d.Severity == DiagnosticSeverity.Error))
        {
            return new ProductSpecLoadResult(null, diagnostics);
        }

        var spec = new ProductSpec
        {
            Domain = reader.Domain!,
            Name = reader.Name!,
            Version = reader.Version!,
            Description = reader.Description,
            Owner = reader.Owner,
            Tags = reader.Tags,
            Inputs = reader.Inputs,
            TransformSqlPath = reader.TransformSqlPath!,
            Output = new OutputSpec
            {
                Contract = reader.ContractPath!,
                Format = reader.OutputFormat,
                PartitionBy = reader.PartitionBy.Select(p => p.Column).ToList(),
                Mode = reader.Mode,
                Key = reader.Key.Select(k => k.Column).ToList(),
                DeleteWhen = reader.DeleteWhen,
                Retention = reader.Retention,
            },
            Freshness = reader.Freshness,
            Access = reader.Access,
            Limits = reader.Limits,
            Directory = directory,
            SpecPath = specPath,
            Contract = contract!.Contract!,
            TransformSql = sql!,
            LoadedAt = TimeProvider.System.GetUtcNow(),
        };
        return new ProductSpecLoadResult(spec, diagnostics);
    }

    /// <summary>Every folder at or below <paramref name="root"/> holding a <c>product.yaml</c>, as absolute paths in ordinal order.</summary>
    /// <remarks>Hidden folders (<c>.datamesh</c>, <c>.git</c>...), <c>node_modules</c>, <c>bin</c> and <c>obj</c> are not searched.</remarks>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> does not exist.</exception>
    public static IReadOnlyList<string> FindProductDirectories(string root)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Cannot look for data products under '{root}': the folder does not exist.");
        }

        var found = new List<string>();
        var pending = new Stack<string>();
        pending.Push(full);
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            if (File.Exists(Path.Combine(directory, SpecFileName)))
            {
                found.Add(directory);
            }

            foreach (var child in Directory.EnumerateDirectories(directory, "*", new EnumerationOptions { IgnoreInaccessible = true }))
            {
                var name = Path.GetFileName(child);
                if (!name.StartsWith('.') && !SkippedFolders.Contains(name, StringComparer.Ordinal))
                {
                    pending.Push(child);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static string? ReadSpecText(string directory, string specPath, DiagnosticSink sink)
    {
        if (!Directory.Exists(directory))
        {
            sink.ErrorAtStart(SpecDiagnosticCodes.ProductFileNotFound, $"the product folder '{DisplayPath.For(directory)}' does not exist; check the path.");
            return null;
        }

        if (!File.Exists(specPath))
        {
            sink.ErrorAtStart(SpecDiagnosticCodes.ProductFileNotFound,
                $"no {SpecFileName} in '{DisplayPath.For(directory)}'; a product folder holds {SpecFileName}, its contract and its transform SQL.");
            return null;
        }

        try
        {
            return File.ReadAllText(specPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.ErrorAtStart(SpecDiagnosticCodes.ProductFileNotFound, $"cannot read {SpecFileName}: {ex.Message}");
            return null;
        }
    }

    /// <summary>In a <c>pipelines/&lt;domain&gt;/&lt;product&gt;/</c> layout the folder names the domain; elsewhere (e.g. <c>datamesh run</c> on any folder) the spec does.</summary>
    private static void CheckDomainFolder(string directory, ProductSpecReader reader, DiagnosticSink sink)
    {
        var domainFolder = Directory.GetParent(directory);
        if (reader.Domain is null || domainFolder?.Parent?.Name != "pipelines" || domainFolder.Name == reader.Domain)
        {
            return;
        }

        sink.Error(reader.DomainNode!, SpecDiagnosticCodes.DomainFolderMismatch,
            $"domain: '{reader.Domain}' differs from the folder's domain '{domainFolder.Name}' (pipelines/{domainFolder.Name}/); move the product under pipelines/{reader.Domain}/ or set domain: {domainFolder.Name}.");
    }

    private static ContractReader? ReadContract(string directory, ProductSpecReader reader, DiagnosticSink sink)
    {
        if (reader.ContractPath is null)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(directory, reader.ContractPath));
        if (!File.Exists(path))
        {
            sink.Error(reader.ContractNode!, SpecDiagnosticCodes.ReferencedFileNotFound,
                $"output.contract: '{reader.ContractPath}' not found ({DisplayPath.For(path)}); create the ODCS contract there or fix the path.");
            return null;
        }

        var contract = ContractReader.Read(path, requireSchema: true);
        if (reader.Version is not null && contract.DeclaredVersion is not null && contract.DeclaredVersion != reader.Version)
        {
            sink.Error(reader.VersionNode!, SpecDiagnosticCodes.ContractVersionMismatch,
                $"version: {sink.File} says {reader.Version} but {DisplayPath.For(path)} says {contract.DeclaredVersion}; the contract version must equal the product version, so change them together.");
        }

        var output = contract.Contract?.Schema.FirstOrDefault();
        if (output is not null)
        {
            foreach (var (column, node) in reader.PartitionBy)
            {
                var property = output.Properties.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    sink.Error(node, SpecDiagnosticCodes.UnknownPartitionColumn,
                        $"output.partitionBy: '{column}' is not a property of '{output.Name}' in {DisplayPath.For(path)}; partition by an output column.");
                }
                else if (PartitionColumns.Protection(property) is { } protection)
                {
                    sink.Error(node, SpecDiagnosticCodes.ProtectedPartitionColumn, $"output.partitionBy: {PartitionColumns.Refusal(column, protection)}");
                }
            }

            // A merge key identifies a row: it must be an output column, and one that is never null.
            foreach (var (column, node) in reader.Key)
            {
                var property = output.Properties.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    var closest = Spelling.Suggest(column, output.Properties.Select(p => p.Name));
                    sink.Error(node, SpecDiagnosticCodes.InvalidOutputKey,
                        $"output.key: '{column}' is not a property of '{output.Name}' in {DisplayPath.For(path)}{closest}; key on output columns.");
                }
                else if (!property.Required)
                {
                    sink.Error(node, SpecDiagnosticCodes.InvalidOutputKey,
                        $"output.key: '{column}' is not required in {DisplayPath.For(path)}, so a row could have no key; add required: true to that property.");
                }
            }
        }

        return contract;
    }

    private static string? ReadTransformSql(string directory, ProductSpecReader reader, DiagnosticSink sink)
    {
        if (reader.TransformSqlPath is null)
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(directory, reader.TransformSqlPath));
        if (!File.Exists(path))
        {
            sink.Error(reader.TransformSqlNode!, SpecDiagnosticCodes.ReferencedFileNotFound,
                $"transform.sql: '{reader.TransformSqlPath}' not found ({DisplayPath.For(path)}); write the DuckDB SELECT there or fix the path.");
            return null;
        }

        string sql;
        try
        {
            sql = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.Error(reader.TransformSqlNode!, SpecDiagnosticCodes.ReferencedFileNotFound, $"transform.sql: cannot read '{reader.TransformSqlPath}': {ex.Message}");
            return null;
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            sink.Error(reader.TransformSqlNode!, SpecDiagnosticCodes.EmptyTransformSql,
                $"transform.sql: '{reader.TransformSqlPath}' is empty; write the SELECT whose result is the output.");
            return null;
        }

        return sql;
    }
}
